from .models import DailyMood


def moods_export(user) -> list[dict]:
    return [
        {
            "id": mood.pk,
            "date": mood.date.isoformat(),
            "energy_level": mood.energy_level,
            "notes": mood.notes,
            "created_at": mood.created_at.isoformat(),
            "updated_at": mood.updated_at.isoformat(),
        }
        for mood in DailyMood.objects.for_user(user).order_by("date")
    ]
