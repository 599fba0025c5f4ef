from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0008_attendance"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                models.F("round"),
                models.F("locked").desc(),
                models.F("score").desc(),
                models.F("id"),
                name="match_review_order",
            ),
        ),
        migrations.AddField(
            model_name="matchround",
            name="matching_settings",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="roundrun",
            name="certificate",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
