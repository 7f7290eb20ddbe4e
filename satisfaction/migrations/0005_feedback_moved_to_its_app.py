"""The feedback models now live in the feedback app (feedback 0001 took them over, tables and all): drop
them from this app's state only; the database keeps the tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('satisfaction', '0004_labels'),
        ('feedback', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='feedbackevent',
                    name='feedback',
                ),
                migrations.RemoveField(
                    model_name='feedbackvote',
                    name='feedback',
                ),
                migrations.RemoveField(
                    model_name='feedbackevent',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Feedback',
                ),
                migrations.DeleteModel(
                    name='FeedbackVote',
                ),
                migrations.DeleteModel(
                    name='FeedbackEvent',
                ),
            ],
        ),
    ]
