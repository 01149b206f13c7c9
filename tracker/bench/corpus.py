"""A deterministic, realistic archive built from the seed documents, for benchmarks.

Sentences and clause titles are taken from the seed proposal, reply and policy documents and
recombined: every proposal has a background, a lead-in and 3–8 numbered suggestions in one of the
marker styles the splitter handles; most have a reply whose points answer the suggestions (quoted
titles, in order or not); metadata is spread over twenty years of sessions, categories and about
sixty agencies, with the state proportions of a real archive. Same ``seed``, same corpus.

Pure Python: no Flask, SQLModel or Whoosh, so the generator is cheap to test.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.domain.letters import chinese_numeral
from tracker.domain.markers import find_candidates, normalize
from tracker.domain.outline import outline

CHINESE_SEEDS = (
    "proposals/cppcc-002/proposal.txt",
    "proposals/cppcc-002/reply.txt",
    "library/zhejiang-small-micro-enterprises-opinions.txt",
    "library/beijing-sme-plan-2011-2015.txt",
)

CATEGORIES = ("经济建设", "科教文卫", "社会建设", "城乡建设", "生态文明", "政治法律", "农业农村")
_BUREAUS = (
    "发展和改革局",
    "经济和信息化局",
    "教育局",
    "科学技术局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "行政审批服务局",
    "数据资源管理局",
    "投资促进局",
    "地方金融监督管理局",
    "供销合作社",
)
AGENCIES = tuple(f"{district}{bureau}" for district in ("区", "市") for bureau in _BUREAUS)  # 60
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
_GIVEN = "建国伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰文辉鹏飞云峰海燕晓东"

# (share of the archive, state, has a reply, published)
STATES = (
    (0.68, "replied", True, True),
    (0.06, "closed", True, True),
    (0.08, "assigned", False, False),
    (0.05, "accepted", False, False),
    (0.04, "submitted", False, False),
    (0.03, "draft", False, False),
    (0.04, "not_accepted", False, False),
    (0.02, "merged", False, False),
)
LEADINS = ("为此建议：", "建议如下：", "特提出如下建议：", "对策建议：", "为此，提出以下建议：")
# (style name, marker for n, inline) — the splitter must read every one of these back
MARKER_STYLES = (
    ("arabic-dot", lambda n: f"{n}.", False),
    ("arabic-fullwidth-dot", lambda n: f"{n}．", False),
    ("arabic-dun", lambda n: f"{n}、", False),
    ("arabic-paren", lambda n: f"（{n}）", False),
    ("chinese-paren", lambda n: f"（{chinese_numeral(n)}）", False),
    ("chinese-dun", lambda n: f"{chinese_numeral(n)}、", False),
    ("di-yi", lambda n: f"第{chinese_numeral(n)}，", False),
    ("yi-shi-inline", lambda n: f"{chinese_numeral(n)}是", True),
)


@dataclass
class GeneratedReply:
    agency: str
    text: str
    outcome: str  # A / B / C
    answers: list[int]  # suggestion number answered by each point, in point order


@dataclass
class GeneratedProposal:
    number: int  # 案号 within its session
    session_name: str  # 届次, e.g. 第十届第三次会议
    year: int
    title: str
    proposer: str
    category: str
    state: str
    published: bool
    overdue: bool
    lead_agency: str | None
    co_agencies: list[str]
    text: str
    marker_style: str
    suggestion_titles: list[str]
    reply: GeneratedReply | None = None


@dataclass
class Corpus:
    proposals: list[GeneratedProposal] = field(default_factory=list)
    sessions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(p.text) + (len(p.reply.text) if p.reply else 0) for p in self.proposals)


@dataclass
class _Pool:
    sentences: list[str]
    titles: list[str]


def _clean_sentences(text: str) -> list[str]:
    """Sentences that carry no enumeration marker of their own and read as prose."""
    out = []
    raws = []
    for line in text.split("\n"):
        line = line.strip(" \t\u3000")
        head = find_candidates(normalize(line[:8]))
        if head and head[0].pos == 0:
            line = line[head[0].text_start :]  # drop a clause marker; its title sentence stays usable
        raws += re.split(r"(?<=[。！？；])", line)
    for raw in raws:
        s = re.sub(r"\s+", "", raw)
        if not (12 <= len(s) <= 160) or not s.endswith(("。", "！", "？", "；")):
            continue
        s = s[:-1] + "。"
        if find_candidates(normalize(s)):
            continue  # "1.…", "（三）…" or an inline "一是…" would make a marker of its own
        if re.search(r"[“”《》]", s) and s.count("“") != s.count("”"):
            continue
        if re.search(r"建\s*议|如下|以下|答复|下步|感谢|委员|提案", s):
            continue  # lead-ins, closings and addressing belong to the frame, not to content
        out.append(s)
    return out


def load_pool(seeds_dir: Path) -> _Pool:
    sentences: list[str] = []
    titles: list[str] = []
    for rel in CHINESE_SEEDS:
        text = (seeds_dir / rel).read_text(encoding="utf-8")
        sentences += _clean_sentences(text)
        for clause in outline(text):
            t = re.sub(r"\s+", "", clause.title)
            if 4 <= len(t) <= 24 and not re.search(r"[。：:，,；“”]", t) and t not in titles:
                titles.append(t)
    # the model case's own titles read as suggestions too
    titles += [
        "设立专门的服务与管理机构",
        "实行分级服务与管理",
        "加大培训力度",
        "加强联系与沟通",
        "建立商业信息中心",
    ]
    return _Pool(sentences=sorted(set(sentences)), titles=sorted(set(titles)))


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _body(rng: random.Random, pool: _Pool, chars: int) -> str:
    """About ``chars`` characters of whole sentences (at least one, never far over)."""
    out = [rng.choice(pool.sentences)]
    size = len(out[0])
    for _ in range(50):
        if size >= chars:
            break
        s = rng.choice(pool.sentences)
        if size + len(s) <= chars + 20:
            out.append(s)
            size += len(s)
    return "".join(out)


def _proposal_text(rng: random.Random, pool: _Pool, titles: list[str], style: int, target: int) -> str:
    _, marker, inline = MARKER_STYLES[style]
    paragraphs = rng.randint(1, 3)
    background = "\n".join(_body(rng, pool, target // (4 * paragraphs)) for _ in range(paragraphs))
    leadin = rng.choice(LEADINS)
    budget = (target - len(background)) // len(titles)
    items = [
        marker(n) + t + "。" + _body(rng, pool, max(20, budget - len(t) - 6)) for n, t in enumerate(titles, 1)
    ]
    if inline:
        return f"{background}\n{leadin}{''.join(items)}"
    return f"{background}\n{leadin}\n" + "\n".join(items)


def _reply_text(
    rng: random.Random, pool: _Pool, proposal: GeneratedProposal, agency: str, order: list[int]
) -> str:
    points = [
        f"{chinese_numeral(k)}、关于“{proposal.suggestion_titles[i - 1]}”。"
        + _body(rng, pool, rng.randint(80, 300))
        for k, i in enumerate(order, 1)
    ]
    return (
        f"关于{proposal.session_name}第{proposal.number}号提案的答复\n"
        f"{proposal.proposer}委员：\n"
        f"您提出的{proposal.title}收悉，经我们研究，现答复如下：\n"
        + "\n".join(points)
        + "\n下步，我们将根据您提出的建议，认真抓好落实。感谢您对我们工作的关心和支持。\n"
        + f"{agency}\n{proposal.year}年{rng.randint(5, 9)}月{rng.randint(1, 28)}日"
    )


def generate(*, proposals: int, seed: int, seeds_dir: Path) -> Corpus:
    """``proposals`` proposals spread over twenty yearly sessions; deterministic for ``seed``."""
    rng = random.Random(seed)
    pool = load_pool(seeds_dir)
    years = list(range(2006, 2026))
    corpus = Corpus(
        sessions=[
            (f"第{chinese_numeral(9 + (y - 2006) // 5)}届第{chinese_numeral((y - 2006) % 5 + 1)}次会议", y)
            for y in years
        ]
    )
    numbers: dict[str, int] = {}
    weights = [s[0] for s in STATES]
    for _ in range(proposals):
        session_name, year = rng.choice(corpus.sessions)
        numbers[session_name] = numbers.get(session_name, 0) + 1
        titles = rng.sample(pool.titles, rng.randint(3, 8))
        style = rng.randrange(len(MARKER_STYLES))
        _, state, has_reply, published = rng.choices(STATES, weights=weights)[0]
        lead = rng.choice(AGENCIES) if state in ("assigned", "replied", "closed") else None
        p = GeneratedProposal(
            number=numbers[session_name],
            session_name=session_name,
            year=year,
            title=f"关于{titles[0]}的提案",
            proposer=_name(rng),
            category=rng.choice(CATEGORIES),
            state=state,
            published=published,
            overdue=state == "assigned" and rng.random() < 0.4,
            lead_agency=lead,
            co_agencies=rng.sample([a for a in AGENCIES if a != lead], rng.randint(0, 2)) if lead else [],
            text="",
            marker_style=MARKER_STYLES[style][0],
            suggestion_titles=titles,
        )
        p.text = _proposal_text(rng, pool, titles, style, rng.randint(820, 2860))
        if has_reply and lead:
            order = list(range(1, len(titles) + 1))
            if rng.random() < 0.2:
                rng.shuffle(order)  # some letters answer in another order
            p.reply = GeneratedReply(
                agency=lead,
                text=_reply_text(rng, pool, p, lead, order),
                outcome=rng.choices("ABC", weights=(6, 3, 1))[0],
                answers=order,
            )
        corpus.proposals.append(p)
    return corpus
