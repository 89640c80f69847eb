from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra):
        if not phone:
            raise ValueError("phone is required")
        email = self.normalize_email(extra.pop("email", ""))
        user = self.model(phone=phone, email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_active=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A portal account. The phone (E.164, +7…) is the login; the insured person it belongs to
    is `policies.InsuredPerson.user` (policies refers to users, not the other way round)."""

    phone = PhoneNumberField("Моб. телефон", unique=True)
    email = models.EmailField("E-mail", blank=True)
    first_name = models.CharField("Имя", max_length=150, blank=True)
    last_name = models.CharField("Фамилия", max_length=150, blank=True)
    is_active = models.BooleanField("Активен", default=True)
    is_staff = models.BooleanField("Сотрудник страховщика", default=False)
    date_joined = models.DateTimeField("Зарегистрирован", default=timezone.now)
    phone_confirmed_at = models.DateTimeField("Телефон подтверждён", null=True, blank=True)
    email_confirmed_at = models.DateTimeField("E-mail подтверждён", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def __str__(self) -> str:
        return str(self.phone)

    def get_full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip() or str(self.phone)

    def get_short_name(self) -> str:
        return self.first_name or str(self.phone)
