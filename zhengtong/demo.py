"""Demo organisation (市水务局 and a small 市生态环境局) and synthetic ones for benchmarks.

Project level, not in an app: the demo spans the platform and the apps.

The demo goes through the services, like any real setup would, so it is audited record by
record. Synthetic organisations of 100,000 people go through bulk inserts instead, with one
audit record that says what was loaded.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from zhengtong.apps.bulletins.services import publish
from zhengtong.apps.chat import departments
from zhengtong.apps.documents import services as documents
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import Role, RoleAssignment
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts.models import User
from zhengtong.platform.accounts.services import create_user
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import search, services
from zhengtong.platform.directory.models import Department, Membership, Post
from zhengtong.platform.workflow.models import WorkItem

DEMO_MARKER = "demo:swj"
LOGINS_FILE = "demo-logins.txt"

# (username, name, post, clearance, leader). A post's position in its department's list is its order.
Person = tuple[str, str, str, int, bool]
LEADERSHIP_NAMES = {"局领导"}


@dataclass(frozen=True)
class Dept:
    name: str
    short_name: str
    people: tuple[Person, ...]
    children: tuple[Dept, ...] = ()


@dataclass(frozen=True)
class Unit:
    name: str
    short_name: str
    code: str
    domain: str
    departments: tuple[Dept, ...]


WATER = Unit("市水务局", "水务局", DEMO_MARKER, "swj.example.cn", (
    Dept("局领导", "", (
        ("wangjianguo", "王建国", "局长", 2, True),
        ("liweidong", "李卫东", "副局长", 2, True),
        ("zhanglihua", "张丽华", "副局长", 2, True),
        ("liuzhiqiang", "刘志强", "副局长", 2, True),
        ("chenguoping", "陈国平", "总工程师", 2, False),
    )),
    Dept("办公室", "", (
        ("zhouming", "周明", "主任", 2, True),
        ("wuting", "吴婷", "副主任", 1, True),
        ("zhengkai", "郑凯", "科员", 1, False),
        ("sunyue", "孙悦", "科员", 1, False),
    )),
    Dept("规划计划处", "规划处", (
        ("huanghaitao", "黄海涛", "处长", 2, True),
        ("linjing", "林静", "副处长", 1, True),
        ("helei", "何磊", "科员", 1, False),
    )),
    Dept("水资源管理处", "水资源处", (
        ("majun", "马骏", "处长", 2, True),
        ("gaojie", "高洁", "副处长", 1, True),
        ("luobin", "罗斌", "科员", 1, False),
        ("liangxue", "梁雪", "科员", 1, False),
        ("songjia", "宋佳", "科员", 0, False),
    )),
    Dept("防汛抗旱办公室", "防汛办", (
        ("xiezhenhua", "谢振华", "主任", 2, True),
        ("hanbing", "韩冰", "副主任", 1, True),
        ("tangliang", "唐亮", "科员", 1, False),
        ("fengyu", "冯雨", "科员", 0, False),
    )),
    Dept("行政审批处", "审批处", (
        ("xuwenbo", "许文博", "处长", 2, True),
        ("denglin", "邓琳", "副处长", 1, True),
        ("caoyang", "曹阳", "科员", 1, False),
        ("pengxiao", "彭晓", "科员", 0, False),
    )),
    Dept("水政监察执法总队", "执法总队", (
        ("zengdeming", "曾德明", "总队长", 2, True),
        ("jiangtao", "蒋涛", "副总队长", 1, True),
    ), children=(
        Dept("执法一支队", "", (
            ("caiyong", "蔡勇", "支队长", 1, True),
            ("jiafeng", "贾峰", "执法队员", 0, False),
            ("dingyiming", "丁一鸣", "执法队员", 0, False),
        )),
    )),
    Dept("信息中心", "", (
        ("yuanye", "袁野", "副主任", 1, True),
        ("zoupeng", "邹鹏", "工程师", 1, False),
        ("chengxuemei", "程雪梅", "工程师", 1, False),
    )),
    Dept("人事处", "", (
        ("suhong", "苏红", "处长", 2, True),
        ("luxiao", "卢晓", "科员", 1, False),
    )),
    Dept("财务审计处", "财审处", (
        ("panwei", "潘伟", "处长", 2, True),
        ("dujuan", "杜娟", "科员", 1, False),
    )),
    Dept("机要保密室", "机要室", (
        ("yanqing", "严清", "主任", 2, True),
        ("qinfang", "秦芳", "机要员", 1, False),
    )),
))

# A second, small unit for cross-unit cases; its surnames are the polyphonic ones search must read right.
ECOLOGY = Unit("市生态环境局", "生态环境局", "demo:sthjj", "sthjj.example.cn", (
    Dept("局领导", "", (("qianfangzheng", "钱方正", "局长", 2, True),)),
    Dept("办公室", "", (
        ("shanning", "单宁", "主任", 1, True),
        ("ouxiaodong", "区晓东", "科员", 0, False),
    )),
    Dept("环境监测处", "监测处", (("qiuyun", "仇云", "处长", 1, True),)),
))

# 一人多职: the head of 办公室 also heads 信息中心.
SECOND_POSTS = (("zhouming", "信息中心", "主任", True),)

# Hidden from everyone outside it (and the departments below it).
CONFIDENTIAL = ("机要保密室",)
# Leaders' mobile numbers are shown only within their own department.
FIELD_RESTRICTIONS = (("mobile", "leaders", "same_department"),)
# 分管领导: these heads report to the deputy director in charge, not to the director.
SUPERIORS = (("xiezhenhua", "liweidong"), ("majun", "zhanglihua"), ("huanghaitao", "zhanglihua"), ("xuwenbo", "liuzhiqiang"),
             ("zengdeming", "liuzhiqiang"))
STATUSES = (("liweidong", "travelling"), ("liangxue", "on_leave"))
# (name, kind, description, members: (username, leads the group)).
GROUPS = (
    ("局党组", "party", "市水务局党组", (("wangjianguo", True), ("liweidong", False), ("zhanglihua", False), ("liuzhiqiang", False),
                                    ("chenguoping", False))),
    ("防汛应急小组", "emergency", "汛期24小时应急值守与调度", (("liweidong", True), ("xiezhenhua", True), ("hanbing", False),
                                                    ("tangliang", False), ("majun", False), ("caiyong", False))),
    ("智慧水务项目组", "project", "水务数据平台与在线监测建设", (("yuanye", True), ("zoupeng", False), ("chengxuemei", False),
                                                    ("luobin", False), ("helei", False), ("denglin", False))),
)

ADMINISTRATORS = (
    ("sysadmin", "系统管理员", perms.SYSTEM_ADMIN),
    ("secadmin", "安全管理员", perms.SECURITY_ADMIN),
    ("auditor", "审计管理员", perms.AUDIT_ADMIN),
)

NEWS = (
    ("zhouming", 0, "市水务局召开2026年度防汛工作部署会",
     "局党组书记、局长王建国出席会议并讲话，要求各处室压实责任，提前做好汛前检查和物资储备。"),
    ("xiezhenhua", 0, "全市重点水库汛前安全检查完成",
     "防汛办会同各区完成23座重点水库的汛前检查，发现的7处隐患已全部落实整改责任人和时限。"),
    ("xuwenbo", 0, "取水许可审批实现“一网通办”",
     "自本月起，取水许可申请、变更、延续均可网上办理，承诺时限由20个工作日压缩至10个工作日。"),
    ("majun", 1, "水资源管理处一季度工作小结（内部）",
     "一季度共核查取水户146家，完成地下水超采区复核，下一步重点推进计量设施在线监测全覆盖。"),
    ("zengdeming", 1, "执法总队河道专项整治行动进展（内部）",
     "专项行动累计出动执法人员420人次，立案查处非法采砂案件5起，相关线索已移送公安机关。"),
    ("wangjianguo", 2, "关于调整部分处室负责人的酝酿情况（敏感）",
     "经局党组研究，拟对两名处室负责人进行岗位交流，本通报仅限局领导和处室主要负责人阅知。"),
)


def demo_loaded() -> bool:
    return Department.objects.filter(external_id=DEMO_MARKER).exists()


def new_password() -> str:
    """A random password with upper, lower, digit and symbol, as the password policy asks."""
    lower, upper, digits = "abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
    groups = (
        secrets.choice(upper) + "".join(secrets.choice(lower) for _ in range(3)),
        "".join(secrets.choice(digits) for _ in range(4)),
        "".join(secrets.choice(lower + upper) for _ in range(4)),
    )
    return "-".join(groups)


def _mobile(username: str) -> str:
    digest = int(hashlib.sha256(username.encode()).hexdigest(), 16)
    return f"139{digest % 10**8:08d}"


@dataclass
class Login:
    username: str
    password: str
    description: str


def _walk(departments: tuple[Dept, ...], parent: Department) -> Iterator[tuple[Dept, Department]]:
    """Each demo department with the saved node it belongs under, parents before children."""
    for order, dept in enumerate(departments, start=1):
        kind = Department.Kind.LEADERSHIP if dept.name in LEADERSHIP_NAMES else Department.Kind.DEPARTMENT
        node = services.create_department(acting_user=None, name=dept.name, short_name=dept.short_name, parent=parent, order=order,
                                          kind=kind)
        yield dept, node
        yield from _walk(dept.children, node)


def _load_unit(unit: Unit, order: int, staff_password: str, staff_role: Role, logins: list[Login]) -> dict[str, Department]:
    top = services.create_department(acting_user=None, name=unit.name, short_name=unit.short_name,
                                     kind=Department.Kind.UNIT, external_id=unit.code, order=order)
    by_name = {}
    for dept, node in _walk(unit.departments, top):
        by_name[dept.name] = node
        for order, (username, name, post_name, clearance, leader) in enumerate(dept.people, start=1):
            post = Post.objects.filter(department=node, name=post_name).first() or services.create_post(
                acting_user=None, department=node, name=post_name, order=order)
            person = create_user(acting_user=None, username=username, display_name=name, password=staff_password,
                                 email=f"{username}@{unit.domain}", mobile=_mobile(username), clearance=clearance,
                                 must_change_password=False)
            assign_role(acting_user=None, user=person, role=staff_role)
            # 副职 (副局长, 副处长 …) are deputies; the other leaders head the department.
            deputy = leader and post_name.startswith("副")
            services.add_membership(acting_user=None, user=person, department=node, post=post, is_leader=leader and not deputy,
                                    is_deputy=deputy, order=order,
                                    office_phone=f"0571-8702{len(logins) + 1001:04d}")
            logins.append(Login(username, staff_password, f"{name} · {unit.short_name} {dept.short_name or dept.name} {post_name}"))
    return by_name


def load_demo() -> list[Login]:
    """Load the demo organisation once; returns the sign-ins, also written to the logins file."""
    logins: list[Login] = []
    with transaction.atomic():
        for username, name, role_code in ADMINISTRATORS:
            password = new_password()
            person = create_user(acting_user=None, username=username, display_name=name, password=password, must_change_password=False)
            assign_role(acting_user=None, user=person, role=Role.objects.get(code=role_code))
            logins.append(Login(username, password, name))
        staff_password = new_password()
        staff_role = Role.objects.get(code=perms.STAFF)
        water = _load_unit(WATER, 1, staff_password, staff_role, logins)
        _load_unit(ECOLOGY, 2, staff_password, staff_role, logins)
        for username, dept_name, post_name, leader in SECOND_POSTS:
            department = water[dept_name]
            post = services.create_post(acting_user=None, department=department, name=post_name, order=0)
            services.add_membership(acting_user=None, user=User.objects.get(username=username), department=department, post=post,
                                    is_primary=False, is_leader=leader, order=0)
        _organise(water)
        _publish_news()
        _official_documents()
        _chat_groups()
    write_logins(logins)
    return logins


def _organise(water: dict[str, Department]) -> None:
    """Groups, visibility, superiors and statuses: what makes the directory more than a tree."""
    people = {user.username: user for user in User.objects.all()}
    unit = water["局领导"].parent
    for order, (name, kind, description, members) in enumerate(GROUPS, start=1):
        group = services.create_group(acting_user=None, name=name, kind=kind, unit=unit, description=description, order=order)
        for position, (username, leads) in enumerate(members, start=1):
            services.add_group_member(acting_user=None, group=group, user=people[username], is_leader=leads, order=position)
    for name in CONFIDENTIAL:
        services.set_department_confidential(acting_user=None, department=water[name], confidential=True)
    for field, subjects, audience in FIELD_RESTRICTIONS:
        services.create_field_restriction(acting_user=None, field=field, subjects=subjects, audience=audience)
    for username, superior in SUPERIORS:
        services.update_person(acting_user=None, user=people[username], superior=people[superior])
    for username, status in STATUSES:
        services.update_person(acting_user=None, user=people[username], status=status)


def _chat_groups() -> None:
    """Every demo department has its chat group (its people as members, kept in step with the directory)."""
    departments.enable_all(acting_user=None)


def _publish_news() -> None:
    for username, classification, title, body in NEWS:
        publish(acting_user=User.objects.get(username=username), title=title, body=body, classification=classification)


def demo_seal_png(name: str, size: int = 600) -> bytes:
    """A round red seal with ``name`` along its top and "演示专用" (for demonstration only) across its foot."""
    import io
    import math

    from PIL import Image, ImageDraw, ImageFont

    from zhengtong.apps.documents.rendering.fonts import HEITI, role_font

    red = (226, 0, 0, 235)
    face = role_font(HEITI)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = size // 28
    draw.ellipse((ring, ring, size - ring, size - ring), outline=red, width=ring)
    star = [(size / 2 + r * math.sin(math.pi * k / 5), size / 2 - r * math.cos(math.pi * k / 5))
            for k, r in ((k, size / 6.5 if k % 2 == 0 else size / 16) for k in range(10))]
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(face.file, size // 8, index=face.index)
    sweep = math.radians(220)
    for position, char in enumerate(name):
        angle = -sweep / 2 + sweep * (position + 0.5) / len(name)  # from the left, over the top
        glyph = Image.new("RGBA", (size // 7, size // 7), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size // 14, size // 14), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
        radius = size / 2 - ring * 2 - size // 14
        centre = (size / 2 + radius * math.sin(angle), size / 2 - radius * math.cos(angle))
        image.alpha_composite(glyph, (round(centre[0] - glyph.width / 2), round(centre[1] - glyph.height / 2)))
    draw.text((size / 2, size * 0.73), "演示专用", font=ImageFont.truetype(face.file, size // 14, index=face.index), fill=red, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _act(people: dict[str, User], document: Any, steps: tuple[tuple[str, str], ...],
         data: dict[str, dict[str, Any]] | None = None) -> None:
    """Each (username, comment) decides their open step of the document's process, in order, through the service."""
    for username, comment in steps:
        document.refresh_from_db()
        item = WorkItem.objects.get(instance_id=document.instance_id, assignee=people[username], state="open")
        documents.decide(acting_user=people[username], document=document, item_id=item.pk, approve=True, comment=comment,
                         data=(data or {}).get(username))


def _official_documents() -> None:
    """机关代字 and registries for both units, and documents at several stages: one dispatched to
    市生态环境局 awaiting 签收, one 请示 with its department head (核稿), one paper 函 to screen,
    and 收文 from 市生态环境局 at each stage of 收文 (``_incoming_documents``)."""
    people = {user.username: user for user in User.objects.all()}
    water, ecology = (Department.objects.get(external_id=unit.code) for unit in (WATER, ECOLOGY))
    documents.add_issuer_code(acting_user=people["sysadmin"], unit=water, code="市水发", description="局发文")
    documents.add_issuer_code(acting_user=people["sysadmin"], unit=water, code="市水函", description="局函件")
    documents.add_issuer_code(acting_user=people["sysadmin"], unit=ecology, code="市环发", description="局发文")
    documents.set_registry(acting_user=people["sysadmin"], unit=water, clerks=[people["zhengkai"], people["sunyue"], people["qinfang"]],
                           office_name="市水务局办公室")
    documents.set_registry(acting_user=people["sysadmin"], unit=ecology, clerks=[people["ouxiaodong"]], office_name="市生态环境局办公室")
    for unit in (water, ecology):
        seal = SimpleUploadedFile("seal.png", demo_seal_png(unit.name), "image/png")
        services.set_seal(acting_user=people["sysadmin"], unit=unit, upload=seal)
    planning = Department.objects.get(name="规划计划处")
    notice = documents.create_draft(
        acting_user=people["luobin"], doc_type="通知", title="关于做好2026年汛期供水安全保障工作的通知", issuer_code="市水发",
        body="为确保汛期城乡供水安全，现将有关事项通知如下：\n一、加强水源保护\n各单位要加密水源地巡查频次，及时处置污染隐患。\n"
             "二、强化应急值守\n严格执行24小时值班和领导带班制度，遇有险情第一时间报告。\n请各单位认真贯彻执行。",
        main_recipients=[ecology.pk], note="此件公开发布")
    documents.submit(acting_user=people["luobin"], document=notice, countersign_departments=[planning.pk], signer="wangjianguo")
    _act(people, notice, (("majun", "核稿同意"), ("huanghaitao", "规划处无意见"), ("wangjianguo", "同意印发"), ("zhengkai", "复核无误"),
                          ("zhengkai", ""), ("zhengkai", ""), ("zhengkai", "")))
    request = documents.create_draft(acting_user=people["luobin"], doc_type="请示", title="关于申请水资源监测站点改造资金的请示",
                                     issuer_code="市水发", body="")
    documents.submit(acting_user=people["luobin"], document=request, signer="zhanglihua")
    documents.register_by_hand(acting_user=people["zhengkai"], doc_type="函", title="关于商请协助开展河湖健康评价的函",
                               sender_name="省水利厅", number="水利函〔2026〕58号", urgency="加急")
    _incoming_documents(people, water, ecology)


# 收文 at 市水务局 from 市生态环境局, one per stage: (title, body, who signs for it, how far it goes).
INCOMING = (
    ("关于开展2026年入河排污口排查整治工作的通知",
     "请各相关单位对辖区入河排污口开展全面排查，建立问题清单，于6月底前完成整治。",
     "", "awaiting"),
    ("关于报送2025年度水环境质量监测数据的函",
     "请贵局于本月底前报送2025年度各监测断面水质数据，以便编制全市生态环境状况公报。",
     "qinfang", "register"),
    ("关于联合开展饮用水水源地环境保护专项督查的通知",
     "定于下月联合开展县级以上饮用水水源地专项督查，请贵局确定联络员并报送自查报告。",
     "sunyue", "propose"),
    ("关于征求《城市黑臭水体治理实施方案》意见的函",
     "现将实施方案征求意见稿送上，请研究提出修改意见，于10个工作日内反馈。",
     "zhengkai", "instruct"),
    ("关于做好汛期水污染事件应急防范工作的通知",
     "汛期是水污染事件易发期，请加强应急值守和信息互通，发现险情及时通报。",
     "zhengkai", "handle"),
    ("关于通报2026年第一季度地表水环境质量状况的函",
     "现将一季度全市地表水环境质量状况通报如下，请结合职责做好相关工作。",
     "qinfang", "closed"),
)
INCOMING_STAGES = ("awaiting", "register", "propose", "instruct", "handle", "closed")


def _incoming_documents(people: dict[str, User], water: Department, ecology: Department) -> None:
    """市生态环境局 sends 市水务局 a document per stage of 收文 (through its own 发文), and 市水务局's
    registry takes each as far as its stage: 待签收 (every clerk's to-do, the 机要员's too), 登记, 拟办,
    批办 (the deputy director in charge), 承办 (two departments' heads) and 办结 with a reply."""
    resources, flood = (Department.objects.get(parent=water, name=name) for name in ("水资源管理处", "防汛抗旱办公室"))
    for title, body, clerk, stage in INCOMING:
        sent = documents.create_draft(acting_user=people["qiuyun"], doc_type="函" if title.endswith("函") else "通知", title=title,
                                      issuer_code="市环发", body=body, main_recipients=[water.pk])
        documents.submit(acting_user=people["qiuyun"], document=sent, signer="qianfangzheng")
        _act(people, sent, (("qianfangzheng", "核稿同意"), ("qianfangzheng", "同意印发"), ("ouxiaodong", "复核无误"),
                            ("ouxiaodong", ""), ("ouxiaodong", ""), ("ouxiaodong", "")))
        if stage == "awaiting":
            continue
        delivery = sent.deliveries.get(unit=water)
        incoming = documents.receive(acting_user=people[clerk], delivery=delivery)
        steps = INCOMING_STAGES[INCOMING_STAGES.index("register"):INCOMING_STAGES.index(stage)]
        if "register" in steps:
            _act(people, incoming, ((clerk, ""), (clerk, "属我局办理")))  # 登记, 初审
        if "propose" in steps:
            _act(people, incoming, ((clerk, "拟请张丽华副局长阅示"),), data={clerk: {"instructor": ["zhanglihua"]}})
        if "instruct" in steps:
            incoming.refresh_from_db()
            item = WorkItem.objects.get(instance_id=incoming.instance_id, assignee=people["zhanglihua"], state="open")
            documents.instruct(acting_user=people["zhanglihua"], document=incoming, item_id=item.pk,
                               text="请水资源管理处牵头，防汛抗旱办公室配合，按时办理。",
                               handling_departments=[resources.pk, flood.pk], lead_department=resources.pk)
        if "handle" in steps:
            # 承办: every head of both departments (all must finish), then the lead's 办结 with the reply.
            handlers = WorkItem.objects.filter(instance_id=incoming.instance_id, state="open").select_related("assignee")
            _act(people, incoming, tuple((item.assignee.username, "已落实") for item in handlers.order_by("id")))
            incoming.refresh_from_db()
            [lead] = WorkItem.objects.filter(instance_id=incoming.instance_id, state="open").select_related("assignee")
            _act(people, incoming, ((lead.assignee.username, "已按要求办理，情况已函复。"),))


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE


def write_logins(logins: list[Login]) -> None:
    administrators = [login for login in logins if login.username in {a[0] for a in ADMINISTRATORS}]
    staff = [login for login in logins if login not in administrators]
    lines = [
        "Demo sign-ins (passwords generated for this installation; keep this file private):",
        "Administrators (asked to enrol an authenticator app for two-factor sign-in (TOTP) at first sign-in):",
        *(f"  {login.username:<16}{login.password}  {login.description}" for login in administrators),
        "Staff (one shared demo password):",
        *(f"  {login.username:<16}{login.password}  {login.description}" for login in staff),
    ]
    path = logins_path()
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- Synthetic organisations -------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单区仇解查朴"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯健俊帆帅旭宁龙林欣悦雪梅琳晨阳博志国海峰亮成东云飞鹏"
DIVISIONS = ("综合", "规划", "水资源", "防汛", "审批", "执法", "信息", "人事", "财务", "建设", "运行", "监督", "科技", "河湖", "节水")
SYNTHETIC_POSTS = ("处长", "副处长", "科员")
BATCH = 5000


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def load_synthetic(people: int, *, progress: bool = True) -> Department:
    """Bulk-load a synthetic unit of ``people`` people for benchmarks; usernames never repeat across runs."""
    tag = secrets.token_hex(3)
    rng = random.Random(tag)  # noqa: S311  (names for benchmarks, not secrets)
    department_count = max(1, people // 40)
    division_count = max(1, min(department_count, int(department_count ** 0.5)))
    # One hash for everyone: hashing 100,000 passwords would take hours and prove nothing.
    password_hash = make_password(new_password())
    now = timezone.now()
    bar = tqdm(total=people, unit="people", disable=not progress, desc="synthetic organisation")
    with transaction.atomic():
        unit = Department.objects.create(kind=Department.Kind.UNIT, name=f"合成单位 {tag}", external_id=f"synthetic:{tag}", order=1000)
        Department.objects.bulk_create(
            Department(name=f"{DIVISIONS[i % len(DIVISIONS)]}处{i // len(DIVISIONS) + 1}", parent=unit, order=i,
                       code=f"{tag}-d{i}") for i in range(division_count))
        divisions = list(Department.objects.filter(parent=unit).order_by("order"))
        Department.objects.bulk_create(
            Department(name=f"第{i // division_count + 1}科", parent=divisions[i % division_count], order=i, code=f"{tag}-s{i}")
            for i in range(department_count - division_count))
        services.reindex_paths(unit)
        departments = divisions + list(Department.objects.filter(parent__in=divisions).order_by("order"))
        Post.objects.bulk_create(Post(department=d, name=name, order=o) for d in departments for o, name in enumerate(SYNTHETIC_POSTS))
        posts = {(p.department_id, p.name): p.pk for p in Post.objects.filter(department__in=departments)}
        usernames = [f"s{tag}{i:06d}" for i in range(people)]
        for batch in _batches(usernames):
            User.objects.bulk_create(User(
                username=username, display_name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                password=password_hash, password_changed_at=now, clearance=rng.choice((0, 1, 1, 2)),
                email=f"{username}@synthetic.example.cn", mobile=f"138{rng.randrange(10**8):08d}",
            ) for username in batch)
            bar.update(len(batch) // 2)
        staff = Role.objects.get(code=perms.STAFF)
        ids = list(User.objects.filter(username__startswith=f"s{tag}").order_by("username").values_list("pk", flat=True))
        for batch_start, batch in zip(range(0, len(ids), BATCH), _batches(ids), strict=True):
            RoleAssignment.objects.bulk_create(RoleAssignment(user_id=pk, role=staff) for pk in batch)
            memberships = []
            for offset, pk in enumerate(batch):
                index = batch_start + offset
                department = departments[index % len(departments)]
                rank = index // len(departments)
                post = SYNTHETIC_POSTS[min(rank, 2)]
                memberships.append(Membership(user_id=pk, department=department, post_id=posts[(department.pk, post)], is_primary=True,
                                              is_leader=rank < 2, order=rank))
                if index % 20 == 7:  # 一人多职 at scale: one in twenty also holds a post elsewhere
                    other = departments[(index + 1) % len(departments)]
                    if other.pk != department.pk:
                        memberships.append(Membership(user_id=pk, department=other, post_id=posts[(other.pk, "科员")], order=rank + 1000))
            Membership.objects.bulk_create(memberships)
            bar.update(len(batch) - len(batch) // 2)
        bar.close()
        # Bulk inserts send no signals: the search index is built here, in bulk, in the same transaction.
        search.index_people(ids, progress=progress)
        if connection.vendor == "postgresql":
            # Right after a million-row load the planner's statistics still describe empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        audit.record("directory.synthetic_loaded", obj=unit, actor_name="system",
                     detail=f"{people} people, {len(departments)} departments under {unit.name}")
    return unit
