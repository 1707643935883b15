"""Multi-turn dialogue scenarios per language (``en.yml``, ``es.yml``, ``it.yml``) and the
runner that plays them through the real service (``runner.py``)."""
