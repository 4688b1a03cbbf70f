from django.db import migrations


def install_permission(apps, schema_editor):
    from settings_app.roles import roles_sync

    # Creates the new custom permission (settings_app.manage_all_apikey) and gives it to the
    # Owner role through its "*"; the other roles keep only their own keys.
    roles_sync(
        Group=apps.get_model("auth", "Group"),
        Permission=apps.get_model("auth", "Permission"),
        ContentType=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("settings_app", "0004_platform_credential"),
    ]

    operations = [migrations.RunPython(install_permission, migrations.RunPython.noop)]
