from django.shortcuts import render


def lockout(request, credentials=None, *args, **kwargs):
    return render(request, "accounts/login.html", {"locked": True}, status=429)
