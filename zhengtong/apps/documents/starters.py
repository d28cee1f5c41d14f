"""正文 templates per 文种: the skeleton a new draft starts from (administrators' own templates later)."""

from __future__ import annotations

from zhengtong.apps.documents.models import DocType

_TEMPLATES = {
    DocType.NOTICE: "为……，现将有关事项通知如下：\n一、……\n二、……\n三、……\n请各单位认真贯彻执行。",
    DocType.REQUEST: "为……，现就……请示如下：\n一、……\n二、……\n妥否，请批示。",
    DocType.REPORT: "根据……，现将……情况报告如下：\n一、基本情况\n二、主要做法\n三、下一步工作\n特此报告。",
    DocType.REPLY: "你单位《关于……的请示》收悉。经研究，批复如下：\n一、……\n二、……\n此复。",
    DocType.LETTER: "……：\n为……，现就……函告如下：\n……\n特此函告。",
    DocType.OPINION: "为……，现提出如下意见：\n一、总体要求\n二、主要任务\n三、保障措施",
    DocType.DECISION: "为……，经研究，决定……。\n……",
    DocType.BULLETIN: "……年……月……日，……。现将有关情况通报如下：\n一、基本情况\n二、存在问题\n三、工作要求",
    DocType.MINUTES: "……年……月……日，……主持召开……会议，研究……。纪要如下：\n一、……\n二、……",
}
_GENERIC = "……"


def body_for(doc_type: str) -> str:
    return _TEMPLATES.get(DocType(doc_type), _GENERIC) if doc_type in DocType.values else _GENERIC
