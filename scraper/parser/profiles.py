"""Site profiles placeholder (replaced below)."""
from __future__ import annotations
from lxml import etree
class Profile:
    def select_body(self, tree: etree._Element) -> list[etree._Element]:
        return []
def find_profile(url: str | None) -> Profile | None:
    return None
