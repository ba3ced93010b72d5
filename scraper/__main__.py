"""``python -m scraper``: the same CLI as the ``scraper`` console script."""

from scraper.cli import main

if __name__ == "__main__":
    main()
