"""Demo facts from the seed (names, titles, organisations, topics); the prose is our own."""

from __future__ import annotations

SERIES = {
    "slug": "reindustrialization-hong-kong",
    "title": "Re-industrialization in Hong Kong",
    "summary": (
        "Four webinars on how new technologies and smart production can bring high-end "
        "manufacturing back to Hong Kong. Speakers from government bodies, industry and "
        "academia compare notes on what each side brings, and how the three can work together."
    ),
    "title_zh": "香港再工業化",
    "summary_zh": (
        "四場網上研討會，探討新科技與智能生產如何把高端製造業帶回香港。來自政府機構、業界和"
        "學術界的講者交流各自的角色與經驗，並探討三方如何攜手合作。"
    ),
    "timezone": "Asia/Hong_Kong",
    "privacy_statement": (
        "We use your name, email and organisation to run this webinar series: to send your "
        "confirmation, reminders with the join link and the recap. We do not share them."
    ),
}

SPEAKERS = [
    {
        "slug": "man-hau-chung",
        "honorific": "Prof",
        "full_name": "Man Hau-chung",
        "alternate_name": "文效忠",
        "name_zh": "文效忠",
        "position": "Dean, Faculty of Engineering",
        "organisation": "The Hong Kong Polytechnic University (PolyU)",
        "short_bio": (
            "Dean of Engineering at PolyU, where his faculty works with industry on applied "
            "research and knowledge transfer."
        ),
        "short_bio_zh": "理大工程學院院長，帶領學院與業界合作，推動應用研究及知識轉移。",
    },
    {
        "slug": "daniel-yip",
        "honorific": "Dr",
        "full_name": "Daniel Yip",
        "position": "Chairman",
        "organisation": "Federation of Hong Kong Industries",
        "short_bio": "Chairman of the Federation of Hong Kong Industries.",
        "name_zh": "葉中賢",
        "short_bio_zh": "香港工業總會主席。",
    },
    {
        "slug": "sunny-chai",
        "honorific": "Dr",
        "full_name": "Sunny Chai",
        "position": "Chairman",
        "organisation": "Hong Kong Science and Technology Parks Corporation (HKSTP)",
        "short_bio": "Chairman of Hong Kong Science and Technology Parks Corporation.",
        "name_zh": "查毅超",
        "short_bio_zh": "香港科技園公司主席。",
    },
    {
        "slug": "bobby-liu",
        "honorific": "Dr",
        "full_name": "Bobby Liu",
        "position": "President",
        "organisation": "Hong Kong Young Industrialists Council",
        "short_bio": "President of the Hong Kong Young Industrialists Council.",
        # Not in the seed: a plausible Chinese name written for the demo, not a confirmed one.
        "name_zh": "廖家寶",
        "short_bio_zh": "香港青年工業家協會會長。",
    },
]

# (number, title, days from the load day, abstract)
SESSIONS = [
    (
        1,
        "Re-industrialization: government, industry and academia",
        -14,
        "What does re-industrialization mean for Hong Kong, and who has to do what? A dean of "
        "engineering, the chairman of the territory's industry federation and the chairman of "
        "its science park discuss the roles of universities, enterprises and public bodies.",
    ),
    (
        2,
        "How does AI reinvent industrialization in Hong Kong?",
        7,
        "Artificial intelligence is changing how products are designed, made and serviced. "
        "This webinar looks at where AI already pays off on Hong Kong's production lines and "
        "what local firms need to adopt it.",
    ),
    (
        3,
        "A re-industrialization roadmap for the textile industry in Hong Kong",
        21,
        "Textiles were once Hong Kong's largest industry. The panel sketches a roadmap for "
        "bringing high-value, automated textile production and research back to the city.",
    ),
    (
        4,
        "The future of biotech industry in Hong Kong",
        35,
        "From research labs to medical devices: what it takes to turn Hong Kong's biotech "
        "research into products made here.",
    ),
]

# Traditional Chinese title and abstract of each webinar, by number (written for the demo).
SESSIONS_ZH = {
    1: (
        "再工業化：政府、業界與學界",
        "再工業化對香港有何意義？各方又要做些甚麼？工程學院院長、香港工業總會主席和科技園主席"
        "一同探討大學、企業和公營機構各自的角色。",
    ),
    2: (
        "人工智能如何重塑香港的工業化？",
        "人工智能正改變產品的設計、生產和售後服務。這場研討會會看看人工智能在香港生產線上"
        "已帶來哪些成效，以及本地企業要引入這些技術需要甚麼。",
    ),
    3: (
        "香港紡織業再工業化路線圖",
        "紡織業曾是香港最大的工業。講者會勾畫一幅路線圖，把高增值、自動化的紡織生產和研發"
        "帶回香港。",
    ),
    4: (
        "香港生物科技產業的未來",
        "由實驗室到醫療器材：要把香港的生物科技研究轉化為本地製造的產品，需要具備甚麼條件。",
    ),
}

# (speaker slug, role) for webinar 1, in card order.
WEBINAR_1_LINEUP = [
    ("man-hau-chung", "speaker"),
    ("daniel-yip", "speaker"),
    ("sunny-chai", "speaker"),
    ("bobby-liu", "moderator"),
]

RECAP = {
    "headline": "Re-industrialization is about innovation and talent, not old production lines",
    "headline_zh": "再工業化講求創新與人才，而非重建舊式生產線",
    "lead_zh": (
        "在系列的第一場研討會中，來自學界、業界和科技園的講者一致認為，香港的再工業化有賴創新、"
        "科技和人才，以及三方以夥伴身份攜手合作。"
    ),
    "lead": (
        "In the first webinar of the series, speakers from academia, industry and the science "
        "park agreed that Hong Kong's re-industrialization rests on innovation, technology and "
        "talent — and on the three sectors working as partners."
    ),
    "body": (
        "Across the discussion one point came back again and again: re-industrialization does "
        "not mean bringing labour-intensive lines back to the city. Several local universities "
        "rank among the world's top 100, government funding schemes have multiplied, and the "
        "speakers urged companies to use these openings and partner with academia and the "
        "research sector to build an innovation-led economy."
    ),
    "body_zh": (
        "討論中有一點一再被提起：再工業化並不是把勞工密集的生產線搬回香港。本地多所大學位列"
        "全球百強，政府的資助計劃亦愈來愈多；講者呼籲企業把握這些機會，與學界和研究機構合作，"
        "建立以創新帶動的經濟。"
    ),
    "sections": [
        (
            "man-hau-chung",
            "Universities are ready partners",
            "Prof Man argued that universities are a key stakeholder because technology is the "
            "core of re-industrialization, and they hold the research facilities and teams that "
            "industry needs. He pointed to AI, virtual reality, wearables, the internet of "
            "things, robotics, 3D printing and advanced manufacturing as the fields to focus on, "
            "and to knowledge transfer — the gap between a lab result and a product — as where "
            "PolyU is putting its effort. He also called for more leading technology companies "
            "to be invited to set up in Hong Kong.",
        ),
        (
            "daniel-yip",
            "Industry is more than the factory floor",
            "Dr Yip gave industry a wide definition: purchasing, research, design, manufacturing, "
            'engineering, branding and marketing all count. His four-point approach for "the '
            'next normal": place each business process where it has a comparative advantage, '
            "explore new markets in ASEAN as well as the mainland, develop high-tech products "
            "and intellectual property, and strengthen local production in sectors such as "
            "jewellery, food, green technology, printing and smart manufacturing.",
        ),
        (
            "sunny-chai",
            "Where the science park fits",
            "Dr Chai noted that four of the government's eight innovation and technology focus "
            "areas bear directly on re-industrialization: R&D resources, technology talent, "
            "investment funding and infrastructure. He proposed three directions — nurture new "
            "technology in Hong Kong, keep critical R&D-driven processes local, and upgrade "
            "traditional pillars such as food — and described the new centres HKSTP is "
            "opening for microelectronics, data and precision manufacturing.",
        ),
        (
            "bobby-liu",
            "A valuable brand",
            "Moderating, Dr Liu closed on the value of the Made-in-Hong Kong brand and the "
            "benefits a joint effort by manufacturers, academics and researchers can bring.",
        ),
    ],
    "quotes": [
        ("daniel-yip", "Re-industrialization means innovating all the processes involved."),
        ("bobby-liu", "Made-in-Hong Kong is a valuable brand."),
    ],
}

# Traditional Chinese heading and body of each recap section, in the order of RECAP["sections"].
RECAP_SECTIONS_ZH: list[tuple[str, str]] = [
    (
        "大學是現成的合作夥伴",
        "文教授認為，科技是再工業化的核心，而大學擁有業界所需的研究設施和團隊，因此是重要的"
        "持份者。他指出人工智能、虛擬實境、穿戴裝置、物聯網、機械人、立體打印和先進製造是"
        "值得集中發展的領域，而理大正致力推動知識轉移，收窄實驗室成果與產品之間的距離。他亦"
        "建議邀請更多領先的科技企業落戶香港。",
    ),
    (
        "工業不只是廠房",
        "葉博士為工業下了一個廣闊的定義：採購、研發、設計、製造、工程、品牌和市場推廣都包括"
        "在內。他為「下一個常態」提出四點方向：把每個業務流程放在最具比較優勢的地方；在內地以外"
        "開拓東盟等新市場；發展高科技產品和知識產權；以及加強珠寶、食品、綠色科技、印刷和智能"
        "製造等行業的本地生產。",
    ),
    (
        "科技園的角色",
        "查博士指出，政府八大創新科技發展方向中，有四項與再工業化直接相關：研發資源、科技人才、"
        "投資資金和基礎設施。他提出三個方向：在香港培育新科技、把關鍵的研發主導工序留在本地，"
        "以及提升食品等傳統支柱產業；他亦介紹了科技園為微電子、數據和精密製造而設的新中心。",
    ),
    (
        "寶貴的品牌",
        "擔任主持的廖博士以「香港製造」品牌的價值作結，並指出廠商、學者和研究人員攜手合作"
        "可帶來的好處。",
    ),
]

# The recap quotes in Traditional Chinese, in the order of RECAP["quotes"].
RECAP_QUOTES_ZH = ["再工業化是要把所涉及的每個流程都加以創新。", "「香港製造」是寶貴的品牌。"]

DEMO_ATTENDEES = [
    ("Ada Chan", "ada.chan@example.org", "Kowloon Precision Ltd", True),
    ("Ben Lau", "ben.lau@example.org", "Harbour Robotics", True),
    ("Carmen Ho", "carmen.ho@example.org", "PolyU", False),
    ("David Wong", "david.wong@example.org", "Lantau Textiles", True),
    ("Emily Cheung", "emily.cheung@example.org", "HK Biotech Labs", False),
    ("Felix Ng", "felix.ng@example.org", "Tsuen Wan Foods", True),
]
