"""The command line: click commands that parse options, call one pipeline function and exit.

Only this package imports click or prints. It may import every other package; nothing
imports it.
"""
