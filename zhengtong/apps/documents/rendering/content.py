"""What goes on the printed page: every element of a 公文 as plain, already-formatted text.

The document model fills one of these (``documents.services.printed``); the PDF and DOCX
renderers lay it out per GB/T 9704-2012 without knowing anything about the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PrintedDocument:
    issuer_mark: str  # 发文机关标志, e.g. "××市水务局文件"
    title: str  # 标题
    body: tuple[str, ...]  # 正文 paragraphs; "一、…" level-1 (黑体), "（一）…" level-2 (楷体) headings
    issuer_signature: str  # 发文机关署名
    written_on: date  # 成文日期
    number: str = ""  # 发文字号, e.g. "市水发〔2026〕7号"; empty before 登记 (a draft print)
    copy_number: str = ""  # 份号, six digits, e.g. "000001"; required for 涉密 documents
    secrecy: str = ""  # 密级和保密期限, e.g. "秘密★1年"
    urgency: str = ""  # 紧急程度: "特急" or "加急"
    signers: tuple[str, ...] = ()  # 签发人, shown on 上行文 (报告, 请示) only
    main_recipients: str = ""  # 主送机关, e.g. "各区水务局，局属各单位"
    attachments: tuple[str, ...] = ()  # 附件说明: the attachment names, in order
    sealed: bool = True  # 印章 applied (the renderer leaves the seal's room above the date)
    note: str = ""  # 附注, e.g. "此件公开发布" (rendered in parentheses)
    copied_to: str = ""  # 抄送机关
    printed_by: str = ""  # 印发机关
    printed_on: date | None = None  # 印发日期
    seal_image: bytes = b""  # the issuing unit's seal (PNG with transparency), on issued documents only
    draft: bool = False  # a watermark-free "draft" marker in the header area instead of the number
    extra: dict[str, str] = field(default_factory=dict)  # reserved for special layouts (信函, 命令, 纪要)
    # GB/T 9704 §10 特定格式: "standard", "letter" (信函格式), "order" (命令(令)格式) or "minutes" (纪要格式).
    layout: str = "standard"
    # 联合行文: the other issuing organs' names after the lead's, in order (7.2.4 marks, 7.3.5 署名 and seals).
    co_issuers: tuple[str, ...] = ()
    # 命令: (签发人职务, 签发人) per issuing organ, lead first, for the 签名章 block (7.3.5.3).
    signatories: tuple[tuple[str, str], ...] = ()
    # 纪要: ("出席" | "请假" | "列席", names) rows under the text (10.3).
    attendance: tuple[tuple[str, str], ...] = ()
