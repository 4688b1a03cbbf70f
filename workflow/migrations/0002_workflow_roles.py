from django.contrib.auth.management import create_permissions
from django.db import migrations


def install_permissions(apps, schema_editor):
    from settings_app.roles import roles_sync

    # Model permissions are normally created after all migrations ran; the roles need them now:
    # the workflow capacities (submit, review, schedule) and the Creator role.
    for label in ("creators", "workflow"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    roles_sync(
        Group=apps.get_model("auth", "Group"),
        Permission=apps.get_model("auth", "Permission"),
        ContentType=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("publishing", "0002_roles"),
        ("workflow", "0001_workflow_initial"),
    ]

    operations = [migrations.RunPython(install_permissions, migrations.RunPython.noop)]
