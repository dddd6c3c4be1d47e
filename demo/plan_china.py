"""The demo's content plan for Lumière China (types and flows: demo.content_plan)."""

from __future__ import annotations

from .content_plan import Campaign, DemoPost, WorkspacePlan, _images

# --- Lumière China (Asia/Shanghai, Chinese platforms, Chinese copy) ----------------------------------

CHINA = WorkspacePlan(
    slug="china",
    people={
        "editor": "editor@demo.kawo.test",
        "agency": "agency-editor@demo.kawo.test",
        "manager": "manager@demo.kawo.test",
        "legal": "legal@demo.kawo.test",
        "admin": "admin@demo.kawo.test",
    },
    pillar_group="内容支柱",
    pillars=(("产品", "#b4533a"), ("品牌故事", "#44403c"), ("促销", "#c2410c"), ("UGC", "#0f766e")),
    product_group="产品线",
    products=(("焕颜精华", "#f59e0b"), ("玫瑰修护面霜", "#db2777"), ("清透防晒乳", "#0284c7")),
    campaigns={
        "launch": Campaign(
            "焕颜精华新品上市",
            "新品上市当月：微博与抖音合计曝光 500 万，小红书种草笔记 200 篇。",
            "#c2410c",
            month=0,
        ),
        "members": Campaign(
            "会员日", "会员日期间复购率提升 15%，新增会员 8,000 人。", "#7c3aed", month=1, first_day=8, days=7
        ),
    },
    images=_images(
        {
            "serum": "焕颜精华产品图：琥珀色玻璃瓶，暖色渐变背景",
            "cream": "玫瑰修护面霜产品图：粉色面霜罐",
            "atelier": "巴黎工坊主视觉",
            "sunscreen": "清透防晒乳产品图",
        }
    ),
    banned_words=(
        ("药妆", "warning", "化妆品不得宣称医疗作用（《化妆品监督管理条例》第三十七条）"),
        ("医学级", "blocking", "化妆品不得使用医疗用语"),
    ),
    workflow_name="内容审批",
    stage_names=("市场经理审核", "法务审核", "总部品牌团队审核（外部）"),
    legal_keywords=("广告", "功效", "测试", "临床", "%", "敏感肌", "淡斑", "美白", "抗皱"),
    hq_email="brand-hq@lumiere.test",
    posts=(
        # --- published (past days of the month) ---
        DemoPost(
            title="焕颜精华上市首日",
            flow="published",
            window="past",
            at=0.1,
            time="10:00",
            pillar="产品",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            variants=(
                (
                    "weibo",
                    "Lumière 焕颜精华今天正式上市！轻盈水感质地，一抹即融，早晚两滴，"
                    "让肌肤透出自然光泽✨新品详情 https://lumiere.example/cn/serum #Lumière焕颜精华#",
                ),
                (
                    "douyin",
                    "焕颜精华来啦！水感质地一抹即融，早晚两滴，通透有光泽。点进主页看新品详情 "
                    "#Lumière焕颜精华 #护肤日常",
                ),
            ),
        ),
        DemoPost(
            title="巴黎工坊的一天",
            flow="published",
            window="past",
            at=0.3,
            time="20:00",
            pillar="品牌故事",
            image="atelier",
            wechat_author="Lumière",
            wechat_articles=(
                {
                    "title": "玫瑰为什么要在日出前采摘",
                    "body": "格拉斯的玫瑰田在清晨五点迎来采摘工。\n"
                    "日出之后气温升高，花瓣里的香气会慢慢散去。",
                    "author": "Claire",
                    "cover": "cream",
                    "cover_crop": "0.2_0_0.8_1",
                },
                {
                    "title": "焕颜精华的一百次试做",
                    "body": "每一批精华都要经过稳定性观察与肤感评估。\n合格之后才会进入灌装线。",
                    "author": "配方团队",
                    "cover": "serum",
                    "cover_crop": "0.2_0_0.8_1",
                },
            ),
            variants=(
                (
                    "wechat_oa",
                    "清晨七点，巴黎玛黑区的 Lumière 工坊亮起了灯。调香师 Claire "
                    "正在试闻刚从格拉斯运来的大马士革玫瑰，她说，好的玫瑰要在日出前采摘，香气才饱满。\n\n"
                    "上午十点，配方师团队开始小批量试做。每一批焕颜精华都要经过稳定性观察与肤感评估，"
                    "合格之后才会进入灌装线。\n\n傍晚，工坊的灯一盏盏熄灭。从玫瑰田到你手中的那一瓶，"
                    "每一道工序都有人认真守候。这就是 Lumière 想分享给你的光。",
                ),
                (
                    "weibo",
                    "走进 Lumière 巴黎工坊：从格拉斯的玫瑰田到你手中的那一瓶，每一道工序都有人认真守候。"
                    "完整故事见公众号推文 https://lumiere.example/cn/atelier #Lumière巴黎工坊#",
                ),
            ),
        ),
        DemoPost(
            title="用户分享：换季护肤心得",
            flow="published",
            window="past",
            at=0.5,
            time="12:00",
            pillar="UGC",
            product="焕颜精华",
            variants=(
                (
                    "weibo",
                    "感谢 @小鹿爱护肤 的真实分享：“换季皮肤容易干，晚上两滴焕颜精华再叠一层面霜，"
                    "第二天上妆很服帖。”欢迎带话题晒出你的护肤日常 https://lumiere.example/cn/ugc "
                    "#Lumière护肤日常#",
                ),
                (
                    "bilibili",
                    "UP 主们的换季护肤合集来啦！本周精选 5 位用户的真实分享，油皮干皮都有参考，"
                    "评论区聊聊你的换季心得～",
                ),
            ),
        ),
        DemoPost(
            title="周末会员礼遇",
            flow="published",
            window="past",
            at=0.7,
            time="18:30",
            pillar="促销",
            product="玫瑰修护面霜",
            image="cream",
            variants=(
                (
                    "weibo",
                    "本周末会员专享：购买玫瑰修护面霜即赠焕颜精华旅行装 5ml，数量有限，送完即止。活动规则 "
                    "https://lumiere.example/cn/weekend #Lumière会员礼遇#",
                ),
                ("bilibili", "周末会员礼遇来了！买玫瑰修护面霜送焕颜精华旅行装 5ml，数量有限，送完即止～"),
            ),
        ),
        DemoPost(
            title="防晒小课堂",
            flow="published",
            window="past",
            at=0.85,
            time="10:00",
            pillar="产品",
            product="清透防晒乳",
            image="sunscreen",
            variants=(
                (
                    "wechat_oa",
                    "防晒小课堂｜SPF 和 PA 怎么看？\n\nSPF 代表对 UVB 的防护，主要防晒伤；PA 代表对 UVA "
                    "的防护，主要防晒黑。日常通勤选择 SPF30 以上即可，户外活动建议 SPF50+、PA++++。\n\n"
                    "用量要足：全脸大约一元硬币大小。户外每两小时补涂一次，出汗或游泳后及时补涂。",
                ),
                (
                    "weibo",
                    "防晒小课堂：SPF 看防晒伤，PA 看防晒黑，户外两小时记得补涂一次☀️ 清透防晒乳了解一下 "
                    "https://lumiere.example/cn/uv #Lumière防晒小课堂#",
                ),
            ),
        ),
        DemoPost(
            title="玫瑰面霜 · 夜间护肤仪式",
            flow="published",
            window="past",
            at=0.95,
            time="20:00",
            pillar="产品",
            product="玫瑰修护面霜",
            image="cream",
            variants=(
                (
                    "douyin",
                    "睡前三步：洁面、焕颜精华、玫瑰修护面霜。用掌心温度按压上脸，玫瑰香气让一天慢下来🌹 "
                    "#Lumière夜间护肤",
                ),
                (
                    "weibo",
                    "睡前三步护肤仪式：洁面 → 焕颜精华 → 玫瑰修护面霜，掌心温热后轻轻按压上脸🌹 "
                    "更多护肤步骤 https://lumiere.example/cn/night #Lumière夜间护肤#",
                ),
            ),
        ),
        # --- posts due a few minutes after seeding (the worker publishes them) ---
        DemoPost(
            title="直播预告：今晚 8 点",
            flow="soon",
            window="soon",
            at=2,
            pillar="促销",
            campaign="launch",
            variants=(
                (
                    "weibo",
                    "今晚 8 点，Lumière 直播间见！调香师连线巴黎工坊，现场讲解焕颜精华里的玫瑰果油从哪里来。"
                    "预约直播 https://lumiere.example/cn/live #Lumière直播间#",
                ),
            ),
        ),
        DemoPost(
            title="焕颜精华 30 秒上手",
            flow="soon",
            window="soon",
            at=3,
            pillar="产品",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            variants=(
                ("bilibili", "焕颜精华 30 秒上手：取两滴、掌心温热、由内向外轻按，最后别忘了脖子～"),
                (
                    "weibo",
                    "焕颜精华 30 秒上手：取两滴，掌心温热，由内向外轻按。完整教程 "
                    "https://lumiere.example/cn/howto #Lumière焕颜精华#",
                ),
            ),
        ),
        DemoPost(
            title="小红书种草：焕颜精华的三种用法",
            flow="soon",
            window="soon",
            at=5,
            pillar="UGC",
            product="焕颜精华",
            image="serum",
            variants=(
                (
                    "xiaohongshu",
                    "焕颜精华的三种用法💡\n1️⃣ 早上：精华 + 防晒，通勤妆更服帖\n2️⃣ 晚上：精华 + 面霜，"
                    "第二天起床有光泽\n3️⃣ 周末：两滴精华混进面膜里\n你常用哪一种？#护肤 #Lumière",
                ),
            ),
        ),
        # --- approved and scheduled (coming days) ---
        DemoPost(
            title="焕颜精华 · 成分解读",
            flow="scheduled",
            window="future",
            at=0.1,
            time="10:00",
            pillar="产品",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            variants=(
                (
                    "wechat_oa",
                    "焕颜精华成分解读\n\n核心成分：5% 烟酰胺、玫瑰果油与透明质酸。烟酰胺帮助改善暗沉，"
                    "玫瑰果油带来柔润肤感，透明质酸为肌肤补水。\n\n功效评价报告与完整成分表已在官网公示，"
                    "欢迎查阅。敏感肌肤使用前请先在耳后试用。",
                ),
                (
                    "weibo",
                    "焕颜精华成分解读：5% 烟酰胺 + 玫瑰果油 + 透明质酸，温和配方，早晚都能用。"
                    "功效评价报告与成分表 https://lumiere.example/cn/inci #Lumière焕颜精华#",
                ),
            ),
        ),
        DemoPost(
            title="达人合作：@林夕Lin 试用焕颜精华",
            flow="scheduled",
            window="future",
            at=0.25,
            time="19:00",
            pillar="促销",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            author="agency",
            paid=True,
            variants=(
                (
                    "douyin",
                    "广告｜和 @林夕Lin 一起开箱 Lumière 焕颜精华！质地、肤感、上妆前后都拍清楚了，评论区抽 "
                    "3 位送正装～ #Lumière焕颜精华",
                ),
                (
                    "weibo",
                    "广告｜@林夕Lin 的焕颜精华试用笔记上线：连用两周的肤感变化都在视频里，评论区抽 3 "
                    "位送正装 https://lumiere.example/cn/kol #Lumière焕颜精华#",
                ),
            ),
        ),
        DemoPost(
            title="格拉斯玫瑰的收获季",
            flow="scheduled",
            window="future",
            at=0.4,
            time="12:00",
            pillar="品牌故事",
            product="玫瑰修护面霜",
            image="atelier",
            variants=(
                (
                    "weibo",
                    "五月的格拉斯，玫瑰在日出前被一朵朵采下。Lumière 与当地三代种植的家庭农场合作，"
                    "让每一罐玫瑰修护面霜都带着这片土地的香气🌹 https://lumiere.example/cn/grasse",
                ),
                (
                    "wechat_oa",
                    "格拉斯玫瑰的收获季\n\n在法国南部的格拉斯，玫瑰要在日出前采摘。Lumière "
                    "与当地三代种植的家庭农场合作已经十二年，每一季的玫瑰都会先送到巴黎工坊进行香气评估。\n"
                    "\n这一期，我们跟随采摘工人走进玫瑰田，记录从花朵到玫瑰修护面霜的旅程。",
                ),
            ),
        ),
        DemoPost(
            title="用户分享：玫瑰面霜空瓶记",
            flow="scheduled",
            window="future",
            at=0.55,
            time="18:30",
            pillar="UGC",
            product="玫瑰修护面霜",
            variants=(
                (
                    "weibo",
                    "又一位用户的空瓶记！@阿橙的梳妆台：“用完第三罐玫瑰面霜，秋冬的晚霜就定它了。"
                    "”晒出你的空瓶，有机会获得新品小样 https://lumiere.example/cn/ugc #Lumière空瓶记#",
                ),
                (
                    "bilibili",
                    "本周用户空瓶记合集：三位 UP 主分享了她们用完玫瑰修护面霜的真实感受，快来看看～",
                ),
            ),
        ),
        DemoPost(
            title="会员日预告",
            flow="scheduled",
            window="future",
            at=0.7,
            time="10:00",
            pillar="促销",
            campaign="members",
            image="cream",
            variants=(
                (
                    "weibo",
                    "Lumière 会员日即将开启！会员积分加倍、生日礼升级，还有限量玫瑰礼盒。现在注册会员 "
                    "https://lumiere.example/cn/members #Lumière会员日#",
                ),
                (
                    "wechat_oa",
                    "会员日预告\n\n会员日期间：积分加倍，生日礼升级，限量玫瑰礼盒开放预约。还不是会员？"
                    "在公众号菜单栏“会员中心”即可注册。",
                ),
            ),
        ),
        DemoPost(
            title="通勤防晒这样涂",
            flow="scheduled",
            window="future",
            at=0.85,
            time="20:00",
            pillar="产品",
            product="清透防晒乳",
            image="sunscreen",
            gallery=("sunscreen", "serum", "cream"),
            options={"xiaohongshu": {"title": "通勤防晒这样涂☀️", "topics": ["防晒", "通勤妆", "护肤日常"]}},
            variants=(
                (
                    "xiaohongshu",
                    "通勤防晒这样涂☀️ 取一元硬币大小，分五点点在额头、鼻梁、两颊和下巴，再轻轻推开。"
                    "清透防晒乳不搓泥，上妆前等一分钟就好～",
                ),
                ("wechat_channels", "通勤防晒三步走：足量、均匀、补涂。清透防晒乳，不搓泥的日常防晒。"),
            ),
        ),
        # --- in review ---
        DemoPost(
            title="焕颜精华 · 早晚搭配指南",
            flow="review",
            window="any",
            at=0.5,
            time="12:00",
            pillar="产品",
            product="焕颜精华",
            image="serum",
            author="agency",
            variants=(
                (
                    "weibo",
                    "焕颜精华早晚怎么搭？早上：精华 + 清透防晒乳；晚上：精华 + 玫瑰修护面霜。搭配指南 "
                    "https://lumiere.example/cn/routine #Lumière焕颜精华#",
                ),
                (
                    "xiaohongshu",
                    "焕颜精华早晚搭配指南📝\n☀️ 早：精华 + 防晒\n🌙 晚：精华 + 玫瑰面霜\n一瓶精华，"
                    "早晚两种用法，你更喜欢哪种？#护肤搭配 #Lumière",
                ),
            ),
        ),
        DemoPost(
            title="上海静安快闪店开幕",
            flow="review",
            window="future",
            at=0.3,
            time="15:00",
            pillar="促销",
            campaign="launch",
            image="atelier",
            variants=(
                (
                    "weibo",
                    "Lumière 巴黎工坊快闪店登陆上海静安！现场可以体验焕颜精华、定制玫瑰香氛卡片。"
                    "地址与开放时间 https://lumiere.example/cn/popup #Lumière快闪店#",
                ),
                ("wechat_channels", "巴黎工坊快闪店来上海啦！带上朋友来静安体验焕颜精华和玫瑰香氛卡片。"),
            ),
        ),
        DemoPost(
            title="第三方测试：28 天肤色变化",
            flow="review_legal",
            window="future",
            at=0.15,
            time="10:00",
            pillar="产品",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            edit=("30 位受试者", "32 位受试者"),
            variants=(
                (
                    "weibo",
                    "经第三方机构测试，30 位受试者连续使用焕颜精华 28 天后，87% 的人认为肤色更透亮*。"
                    "*结果因人而异 https://lumiere.example/cn/study #Lumière焕颜精华#",
                ),
                (
                    "wechat_oa",
                    "28 天肤色变化测试报告\n\n我们委托第三方机构，邀请 30 位受试者连续使用焕颜精华 28 天。"
                    "结果显示，87% 的受试者认为肤色更透亮，83% 认为肌肤更柔润。\n\n*自我评估结果，因人而异。",
                ),
            ),
        ),
        DemoPost(
            title="达人合作：@阿May的护肤日记",
            flow="review_legal",
            window="future",
            at=0.45,
            time="20:00",
            pillar="促销",
            product="焕颜精华",
            campaign="launch",
            image="serum",
            author="agency",
            paid=True,
            variants=(
                (
                    "xiaohongshu",
                    "广告｜@阿May的护肤日记 用了两周焕颜精华，写了一篇超详细的肤感记录：质地、吸收、"
                    "和粉底的搭配都有～ #Lumière #护肤日记",
                ),
                (
                    "douyin",
                    "广告｜@阿May的护肤日记 两周焕颜精华使用记录，从质地到上妆效果一次说清 #Lumière焕颜精华",
                ),
            ),
        ),
        DemoPost(
            title="敏感肌的玫瑰面霜",
            flow="review_legal",
            window="future",
            at=0.6,
            time="12:00",
            pillar="产品",
            product="玫瑰修护面霜",
            image="cream",
            video=True,
            options={"douyin": {"title": "换季面霜怎么选", "cover_tsp": 0.3}},
            variants=(
                (
                    "weibo",
                    "敏感肌也想用玫瑰面霜？配方不含酒精和色素，已完成敏感肌人群试用。使用前建议先在耳后试用 "
                    "https://lumiere.example/cn/cream #Lumière玫瑰面霜#",
                ),
                ("douyin", "敏感肌的换季面霜怎么选？看看玫瑰修护面霜的配方表 #Lumière玫瑰面霜"),
            ),
        ),
        DemoPost(
            title="Lumière 的光之哲学",
            flow="review_hq",
            window="future",
            at=0.35,
            time="19:00",
            pillar="品牌故事",
            campaign="launch",
            image="atelier",
            variants=(
                (
                    "wechat_oa",
                    "Lumière 的光之哲学\n\nLumière 在法语里是“光”。1987 年，创始人 Hélène "
                    "在巴黎开了一家小小的护肤工坊，她相信，好的护肤是让每个人找回自己本来的光彩。\n\n"
                    "三十多年后，焕颜精华延续了这个想法：不追求夸张的改变，只让肌肤状态稳定、通透、有光泽。",
                ),
                (
                    "weibo",
                    "Lumière 在法语里是“光”。从 1987 年巴黎的小工坊到今天的焕颜精华，我们想做的始终是："
                    "让你找回本来的光彩。品牌故事 https://lumiere.example/cn/story #Lumière#",
                ),
            ),
        ),
        # --- changes requested ---
        DemoPost(
            title="28 天淡斑计划",
            flow="changes",
            window="any",
            at=0.4,
            time="18:00",
            pillar="产品",
            product="焕颜精华",
            image="serum",
            variants=(
                (
                    "weibo",
                    "焕颜精华 28 天淡斑计划开启！每天早晚两滴，记录你的肤色变化，打卡满 28 天送正装 "
                    "https://lumiere.example/cn/28days #Lumière焕颜精华#",
                ),
                (
                    "xiaohongshu",
                    "28 天打卡计划📅 每天早晚两滴焕颜精华，拍下你的素颜变化，打卡满 28 天送正装！#Lumière "
                    "#护肤打卡",
                ),
            ),
            review_comment="文案里有需要特殊化妆品注册证的功效宣称，请按批注修改后重新提交。",
            anchor="淡斑",
            anchor_comment=(
                "“淡斑”属于祛斑美白类功效宣称，需要特殊化妆品注册证。请改成“提亮肤色”，或者先补充注册证编号。"
            ),
        ),
        # --- drafts ---
        DemoPost(
            title="会员日 · 预售清单",
            flow="draft",
            window="next",
            at=0.15,
            time="10:00",
            pillar="促销",
            campaign="members",
            variants=(
                (
                    "weibo",
                    "会员日预售清单来啦：玫瑰礼盒、焕颜精华双支装、防晒旅行套装，会员提前 24 小时购买 "
                    "https://lumiere.example/cn/presale #Lumière会员日#",
                ),
            ),
        ),
        DemoPost(
            title="换季护肤直播脚本",
            flow="draft",
            window="any",
            at=0.65,
            time="20:00",
            pillar="产品",
            product="焕颜精华",
            variants=(
                (
                    "bilibili",
                    "换季护肤直播脚本（草稿）：开场 5 分钟介绍巴黎工坊，然后演示焕颜精华早晚用法，最后 10 "
                    "分钟回答弹幕问题。",
                ),
            ),
            note="@editor@demo.kawo.test 直播脚本里加一段防晒补涂的演示？",
        ),
        DemoPost(
            title="年度精华推荐（待修改）",
            flow="draft",
            window="any",
            at=0.75,
            time="12:00",
            pillar="产品",
            product="焕颜精华",
            variants=(
                (
                    "weibo",
                    "年度最好用的精华！焕颜精华一瓶解决暗沉、干燥和粗糙，闭眼入 "
                    "https://lumiere.example/cn/serum #Lumière焕颜精华#",
                ),
            ),
        ),
        DemoPost(
            title="粉丝评论精选",
            flow="draft",
            window="any",
            at=0.9,
            time="18:30",
            pillar="UGC",
            variants=(
                (
                    "weibo",
                    "粉丝 @晴天小雨 说：“这是我今年回购的宝藏药妆！”谢谢喜欢～晒出你的回购清单 "
                    "https://lumiere.example/cn/ugc #Lumière护肤日常#",
                ),
            ),
        ),
    ),
)
