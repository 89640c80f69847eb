"""The portal's locale formats (FORMAT_MODULE_PATH): Django looks here before its own locale
files, so only what is set here differs from django/conf/locale/ru/formats.py."""
