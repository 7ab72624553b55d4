"""The staff workspace: one module per page (login, cases, one case, quarantine, users).

`routes.staff_routes` puts them together; `web/auth.py` guards every one of them.
"""
