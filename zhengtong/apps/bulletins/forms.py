from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.access.models import ClassificationLevel


class BulletinForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    classification = forms.TypedChoiceField(
        label=_("Classification"), coerce=int, choices=(),
        error_messages={"invalid_choice": _("You can publish only up to your own clearance and the highest level this system holds.")},
    )

    def __init__(self, *args: object, max_rank: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["classification"].choices = [  # type: ignore[attr-defined]
            (level.rank, level.name) for level in ClassificationLevel.objects.filter(rank__lte=max_rank)
        ]
