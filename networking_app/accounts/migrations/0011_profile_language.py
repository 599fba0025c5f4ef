from django.db import migrations, models


class Migration(migrations.Migration):
    """Profile.language (issue 18), and the student profile's verbose names given explicitly so
    that forms built from them are translated (no change to the database)."""

    dependencies = [
        ("accounts", "0010_retention_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AlterField(
            model_name="studentprofile",
            name="class_year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="class year"
            ),
        ),
        migrations.AlterField(
            model_name="studentprofile",
            name="interests",
            field=models.TextField(blank=True, verbose_name="interests"),
        ),
        migrations.AlterField(
            model_name="studentprofile",
            name="major",
            field=models.CharField(blank=True, max_length=120, verbose_name="major"),
        ),
        migrations.AlterField(
            model_name="studentprofile",
            name="strengths",
            field=models.TextField(blank=True, verbose_name="strengths"),
        ),
        migrations.AlterField(
            model_name="studentprofile",
            name="target_industries",
            field=models.CharField(
                blank=True,
                help_text="Separate industries with commas.",
                max_length=300,
                verbose_name="target industries",
            ),
        ),
    ]
