"""What citizens type into the guide's search box, each with the demo item they are looking for.

Written as people write (no spaces, colloquial words, whole questions, homophone typos, pinyin), from
what residents ask at a guide desk — not derived from the item names. Each expected code is the demo
catalogue's item (src/tongban/demo/data/items/) that answers the question best; where several items
would do, the one a clerk would hand over first. Used by test_search_queries.py (hit@3 ≥ 90 %) and
bench/bench_search.py. Add to it; do not edit a phrasing to make it pass.
"""

from __future__ import annotations

from typing import NamedTuple


class Query(NamedTuple):
    text: str
    code: str  # expected item, without the district prefix "440106-"
    kind: str  # colloquial | sentence | typo | pinyin


def _q(kind: str, rows: str) -> list[Query]:
    out = []
    for line in rows.strip().splitlines():
        text, code = line.split()
        out.append(Query(text, code, kind))
    return out


QUERIES: list[Query] = [
    *_q(
        "colloquial",
        """
        营业执照办理 SCJG-001
        办理营业执照 SCJG-001
        开公司 SCJG-001
        开饭店 SCJG-009
        身份证丢了 GA-005
        孩子上小学 JY-001
        怎么领结婚证 MZ-001
        小孩出生证明丢了 WJ-009
        怎么办准生证 WJ-010
        给宝宝办医保 YB-002
        娃上幼儿园怎么报名 JY-003
        孩子转学 JY-002
        当老师要什么证 JY-004
        想办一个私立幼儿园 JY-005
        个体户不干了 SCJG-007
        申请公租房 ZJ-008
        外地人办居住证 GA-001
        残疾证怎么办 CL-001
        家里困难申请低保 MZ-005
        八十岁老人补贴 MZ-008
        开药店 SCJG-013
        开个诊所 WJ-003
        想开网吧 WGLT-002
        开美发店 WJ-001
        公司要开票 SW-002
        新公司税务报到 SW-001
        公司改名字 SCJG-002
        刻公章 GA-009
        店门口挂招牌 CG-002
        砍门口的树 CG-004
        烟草证过期了 YC-002
        火化费能减免吗 MZ-010
        """,
    ),
    *_q(
        "sentence",
        """
        我想开一家奶茶店需要办什么证 SCJG-009
        注册个公司要什么材料 SCJG-001
        结婚证弄丢了怎么补 MZ-003
        我们俩想离婚去哪办 MZ-002
        刚生了宝宝怎么上户口 GA-003
        公司不做了怎么注销 SCJG-003
        被公司辞退了能领失业金吗 RS-001
        老板拖欠工资怎么办 RS-016
        上班路上受伤了算工伤吗 RS-013
        没有单位自己怎么交养老保险 RS-008
        我要退休了去哪里办手续 RS-010
        休产假的工资怎么领 YB-006
        换工作了医保怎么转 YB-008
        去外地看病医保怎么用 YB-004
        二手房过户要带什么 GHZY-008
        房贷还完了怎么解押 GHZY-010
        查一下我名下有几套房 GHZY-011
        买房子要交哪些税 SW-006
        出租房子要备案吗 ZJ-009
        派出所开证明证明我和我妈是母女 GA-002
        身份证还没办好先办个临时的 GA-006
        家里老人去世了要办什么 GA-004
        父亲过世单位的抚恤金怎么领 RS-012
        自闭症孩子康复有补助吗 CL-005
        孩子去当兵家里有补贴吗 TYJR-003
        退伍了怎么办优待证 TYJR-001
        护士执业证怎么注册 WJ-005
        开ktv要什么手续 WGLT-001
        开民宿要什么许可 GA-010
        卖烟需要办证吗 YC-001
        过年想摆摊卖烟花 YJ-002
        要挖开马路铺管道 ZJ-007
        工地开工前要办的许可 ZJ-001
        小区新装电梯要登记 SCJG-015
        """,
    ),
    *_q(
        "typo",
        """
        营业只照 SCJG-001
        结昏登记 MZ-001
        居住正 GA-001
        低宝 MZ-005
        失叶金 RS-001
        社宝卡 RS-007
        身分证 GA-005
        """,
    ),
    *_q(
        "pinyin",
        """
        yingyezhizhao SCJG-001
        jiehundengji MZ-001
        shebaoka RS-007
        juzhuzheng GA-001
        sfz GA-005
        dibao MZ-005
        shiyejin RS-001
        """,
    ),
]

DISTRICT_PREFIX = "440106-"
HIT_AT = 3
TARGET = 0.90
