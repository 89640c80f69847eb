"""Accounts pages, one module per flow: login, registration, recovery, «Личные данные»
(profile, change). The «Подтверждение телефона» step they share is written once (codeflow).

Views are thin: a form validates, one service acts, the view redirects. Steps that span
pages keep only ids in the session; the session's binding token ties codes to this browser.
"""
