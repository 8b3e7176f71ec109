"""The Lark grammar of the rule language, shipped inside the wheel (see pyproject.toml)."""
