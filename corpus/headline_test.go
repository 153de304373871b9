package corpus_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOriginalTitleForms: every form of 原标题： in the real exports gives the
// headline and is removed from the lead.
func TestOriginalTitleForms(t *testing.T) {
	tests := []struct{ name, text, headline, lead string }{
		{"line break", "原标题：8月我国南北多地洪涝灾害风险仍较高\n中国青年报客户端北京8月2日电 刚刚发布。", "8月我国南北多地洪涝灾害风险仍较高", "中国青年报客户端北京8月2日电"},
		{"line break beats an early exclamation", "原标题：痛心！北京消防员冯振在强降雨抢险救灾中牺牲，年仅30岁\n据中国消防救援官微消息，冯振牺牲。", "痛心！北京消防员冯振在强降雨抢险救灾中牺牲，年仅30岁", "据中国消防救援官微消息"},
		{"space before the body", "原标题：西安这4所新学校今秋投用 记者日前从西安市教育局获悉，4所新学校投用。", "西安这4所新学校今秋投用", "记者日前从西安市教育局获悉"},
		{"first sentence mark", "原标题：52人落网！山东济宁警方摧毁特大吸贩毒团伙近日，嘉祥警方破案。", "52人落网！", "山东济宁警方摧毁"},
		{"printed twice", "原标题：坐标→邹城！这才是带娃的正确打开方式！坐标→邹城！这才是带娃的正确打开方式！ 济宁新闻网讯 邹城市今年的暑期活动。", "坐标→邹城！这才是带娃的正确打开方式！", "济宁新闻网讯"},
		{"printed three times", "原标题：关于公开征集线索的通告关于公开征集线索的通告 关于公开征集线索的通告近日，警方打掉一团伙。", "关于公开征集线索的通告", "近日，警方打掉一团伙。"},
		{"glued to a date", "原标题：梁山农行开展“八一”建军节慰问活动7月31日，在建军节来临之际，农行走进武装部。", "梁山农行开展“八一”建军节慰问活动", "7月31日，在建军节"},
		{"glued to an outlet", "原标题：宣城广德：提升百姓幸福感 文明菜市“暖民心”央广网宣城7月27日消息 志愿者宣传。", "宣城广德：提升百姓幸福感 文明菜市“暖民心”", "央广网宣城7月27日消息"},
		{"glued to a purpose clause", "原标题：民生银行济宁任城支行开展打击治理电信网络诈骗宣传活动为进一步推进金融知识普及工作，银行开展活动。", "民生银行济宁任城支行开展打击治理电信网络诈骗宣传活动", "为进一步推进"},
		{"glued to a bare day", "原标题：山东平原地震前后多地天空现诡异红光，济南地震监测中心回应6日，山东德州市平原县发生5.5级地震。", "山东平原地震前后多地天空现诡异红光，济南地震监测中心回应", "6日，山东德州市"},
		{"quoted speech after a space", "原标题：济宁市任城区“信用+健康义诊”进社区 服务群众“零距离” “听说小区有义诊活动，我们早早就过来了！”近日，社区开展义诊。", "济宁市任城区“信用+健康义诊”进社区 服务群众“零距离”", "“听说小区有义诊活动"},
		{"quoted name after a space stays", "原标题：中国福利彩票“幸福黄河口”全国首发 “为福添彩·护苗成长”公益项目同步启动人民网东营8月18日电 启动仪式举行。", "中国福利彩票“幸福黄河口”全国首发 “为福添彩·护苗成长”公益项目同步启动", "人民网东营8月18日电"},
		{"ASCII colon", "原标题:济宁高新区接庄街道开展暑期防溺水宣讲活动\n7月25日，课堂开讲。", "济宁高新区接庄街道开展暑期防溺水宣讲活动", "7月25日"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, _ := json.Marshal(map[string]string{"text": tc.text})
			arts, probs := readJSONL(t, string(line))
			if len(arts) != 1 || len(probs) > 0 {
				t.Fatalf("articles %d problems %v", len(arts), probs)
			}
			a := arts[0]
			if a.Headline != tc.headline || a.HeadlineDerived {
				t.Errorf("headline %q derived %v, want %q", a.Headline, a.HeadlineDerived, tc.headline)
			}
			if lead := a.Paragraphs[0].Text; !strings.HasPrefix(lead, tc.lead) || strings.Contains(lead, "原标题") {
				t.Errorf("lead %q, want it to open with %q", lead, tc.lead)
			}
		})
	}
}

// TestDerivedHeadline: an article without a headline gets one made from
// its first sentence, flagged, without bylines, datelines and dates.
func TestDerivedHeadline(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"first sentence", "济宁市科协召开科普工作交流座谈会。会议邀请专家交流。", "济宁市科协召开科普工作交流座谈会"},
		{"byline and date dropped", "发布会现场大众网见习记者 刘兆鑫 济宁报道8月8日，济宁市政府新闻办召开新闻发布会。", "济宁市政府新闻办召开新闻发布会"},
		{"outlet dateline dropped", "中新网北京8月15日电(高楠 陈广通) 在山东济宁市汶上县刘楼镇有这样一位青年。", "在山东济宁市汶上县刘楼镇有这样一位青年"},
		{"bracketed byline dropped", "（人民日报健康客户端记者 孔天骄）8月11日，河南巩义的林周在医院就诊。", "河南巩义的林周在医院就诊"},
		{"a date that is the subject stays", "8月15日是首个全国生态日，环保组织开展活动。", "8月15日是首个全国生态日，环保组织开展活动"},
		{"long sentence cut at a clause mark", "为深入贯彻落实习近平总书记在文化传承发展座谈会上的重要讲话精神，国家话剧院携手山东省文旅厅举办活动。", "为深入贯彻落实习近平总书记在文化传承发展座谈会上的重要讲话精…"},
		{"long sentence cut with an ellipsis", "山东省梁山万邦汽贸有限公司在徐工集团一级经销商唐山森航汽车销售服务有限公司全款购买了28辆牵引车。", "山东省梁山万邦汽贸有限公司在徐工集团一级经销商唐山森航汽车销…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, _ := json.Marshal(map[string]string{"text": tc.text})
			arts, _ := readJSONL(t, string(line))
			if len(arts) != 1 {
				t.Fatal("no article")
			}
			a := arts[0]
			if a.Headline != tc.want || !a.HeadlineDerived || !a.Paragraphs[0].HeadlineDerived {
				t.Errorf("headline %q derived %v, want %q derived", a.Headline, a.HeadlineDerived, tc.want)
			}
		})
	}
}

// TestInitiativeNames: named initiatives are short quoted names, not
// quoted speech (the Kissinger quotes of issue 12).
func TestInitiativeNames(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"names", "打造“五大课堂”，开展“我为群众办实事”和“红动金乡·我心向党”活动。", []string{"五大课堂", "我为群众办实事", "红动金乡·我心向党"}},
		{"a slogan in two halves", "坚持“党员在身边，服务零距离”理念。", []string{"党员在身边，服务零距离"}},
		{"a chain of 28 characters", "构建“街道党工委—社区党委—小区党支部—楼栋党小组—党员中心户”体系。", []string{"街道党工委—社区党委—小区党支部—楼栋党小组—党员中心户"}},
		{"Kissinger's speech after a verb", "当他用英文说到“我很荣幸来到这片神秘国土”时，总理打断了他。", []string{}},
		{"speech with sentence marks", "总理对他说，“博士，你会很快地了解到，我们并不是一个神秘的国土。”", []string{}},
		{"speech after a colon", "他表示：“挂一次号可不容易了”。", []string{}},
		{"too many commas", "“街上的人，一下子嗖地没有了，全在放这部片子”，导演回忆。", []string{}},
		{"too long", "“" + strings.Repeat("长", 31) + "”", []string{}},
		{"one character", "民意“5”来听", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, _ := json.Marshal(map[string]string{"text": tc.text})
			arts, _ := readJSONL(t, string(line))
			if len(arts) != 1 {
				t.Fatal("no article")
			}
			got := arts[0].Paragraphs[0].Initiatives
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || got == nil {
				t.Errorf("initiatives %q, want %q", got, tc.want)
			}
		})
	}
}
