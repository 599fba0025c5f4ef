from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_mentor_photo"),
    ]

    operations = [
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
