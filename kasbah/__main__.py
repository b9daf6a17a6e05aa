from kasbah.cli import entry

entry()
