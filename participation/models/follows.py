"""Follows: a citizen asks to hear about any page or object (proposals, later debates, comments)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def content_key(obj):
    """(content type, id) of a page or model; pages are keyed by their specific type."""
    return ContentType.objects.get_for_model(obj), obj.pk


class FollowQuerySet(models.QuerySet):
    def for_object(self, obj):
        content_type, pk = content_key(obj)
        return self.filter(content_type=content_type, object_id=pk)


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="one_follow_per_user"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.user} follows {self.content_type.model} {self.object_id}"

    @classmethod
    def follow(cls, user, obj):
        content_type, pk = content_key(obj)
        try:
            with transaction.atomic():
                cls.objects.get_or_create(user=user, content_type=content_type, object_id=pk)
        except IntegrityError:
            pass

    @classmethod
    def unfollow(cls, user, obj):
        cls.objects.for_object(obj).filter(user=user).delete()

    @classmethod
    def is_following(cls, user, obj):
        return user.is_authenticated and cls.objects.for_object(obj).filter(user=user).exists()

    @classmethod
    def followers(cls, obj):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(
            pk__in=cls.objects.for_object(obj).values("user_id"), is_active=True
        )
