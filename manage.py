#!/usr/bin/env python
"""Django's manage.py; the installed ``kantor`` command does the same."""

from kantor.cli import main

if __name__ == "__main__":
    main()
