"""Korean particles (조사) chosen by the word before them, e.g. 창원시가 but 경상남도는.

tossi picks the form from the last syllable, reading numbers as Korean (3이, 10은), so
the interface never hedges with 이(가) or (으)로.
"""

import tossi
from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def josa(word, particle):
    """The word followed by the particle in its right form, in Korean; the bare word otherwise.

    ``{{ name|josa:"은" }}`` gives 창원특례시는 in Korean and Changwon in English, so one
    template variable serves both catalogues.
    """
    word = str(word)
    if not word or not (get_language() or "").startswith("ko"):
        return word
    return tossi.postfix(word, particle)
