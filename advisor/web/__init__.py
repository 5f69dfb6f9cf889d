"""The web app of `advisor serve`: the help pages of advisor/site served, the support
staff's triage page, and the versioned JSON API, in one Starlette app on uvicorn
(docs/web.md).

`app.py` builds the app (`create_app`, and `app_from_environment` for uvicorn's workers);
`api.py` is the JSON API, `staff.py` the triage page and its form (`form.py`), `pages.py`
the help pages and the error pages, `security.py` the headers and the bounded bodies,
`openapi.py` the OpenAPI document, `onecase.py` and `batchstream.py` decide one case and a
file of them, `cardread.py` reads the card for "read my card". Starlette and uvicorn are
imported only here and in `advisor serve`.
"""
