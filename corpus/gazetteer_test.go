package corpus_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"countynews/corpus"
)

// TestCountyByEvidence runs short excerpts of the real cases of issue 12
// through the JSONL reader: each look-alike or passing mention files no
// county, each real county story files its county.
func TestCountyByEvidence(t *testing.T) {
	g, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Counties) != 11 {
		t.Errorf("%d counties, want Jining's 11", len(g.Counties))
	}
	tests := []struct {
		name, text, want string
	}{
		{"吕梁山 is a mountain range", "中阳木耳文化节将于8月9日在山西省中阳县举办。中阳位于吕梁山腹地，两山怀抱。吕梁山区的木耳远近闻名。", ""},
		{"吕梁 is a Shanxi city", "原标题：山西这家医院一年内免收挂号费！8月16日，吕梁市人民医院发布通知，是吕梁山区医疗卫生服务中心。吕梁市人民医院将免收挂号费。", ""},
		{"梁平 quotes 《题梁山军瑞丰亭》", "8月8日，长江三峡晒秋节在重庆梁平举行。南宋诗人陆游就用诗词《题梁山军瑞丰亭》描绘出梁平的丰收。", ""},
		{"大梁山 is a mountain elsewhere", "7月28日，临安一男子吞下头孢后不知去向。民警一组前往玲珑山搜寻，一组前往大梁山寻找。辅警在大梁山山顶找到了该男子。", ""},
		{"嵩梁山 is a mountain elsewhere", "原标题：湖南张家界天门山一游客坠亡。天门山是张家界海拔最高的山峰，曾被称为嵩梁山，也被称为梦山。", ""},
		{"a director named 梁山", "著名演员赵有亮去世。1997年，沪语剧《夺子战争》首播。导演梁山还记得，当时每天晚上都有观众来信。", ""},
		{"梁山书院 in Fujian", "2023迁台记忆台胞祖地行活动在福建龙岩市武平县拉开帷幕。台胞们参观了武平县历史文化街区兴贤坊、武平梁山书院。", ""},
		{"西钓鱼台 is a Beijing bus stop", "受降雨影响的快速直达专线恢复运营。专线104路中门寺生态园—西钓鱼台首末车时间：西钓鱼台18:30。", ""},
		{"东格尔观鱼台 is at Qinghai Lake", "在青海湖景区东格尔观景台，一名男子翻越栈道围栏。据了解，青海湖景区东格尔观鱼台于2023年7月28日起试运行。", ""},
		{"杀鱼台 is a fish table", "在安徽广德市柏垫镇集贸市场里，志愿者们宣传文明菜市。现在政府给大家做了公用的杀鱼台，处理起来方便。", ""},
		{"平江县木金乡 is in Hunan", "湖南省级数字乡村试点名单公布。岳阳市：平江县木金乡；常德市：澧县甘溪滩镇。", ""},
		{"沂沭泗水系 is a river system", "8月，长江上游干支流可能发生超警洪水，淮河沂沭泗水系，太湖流域钱塘江、闽江可能发生较大洪水。淮河流域沂沭泗水系要做好山洪灾害防御。", ""},
		{"汶上 as a birthplace", "原标题：痛心！北京消防员冯振在强降雨抢险救灾中牺牲\n冯振，男，汉族，1992年12月出生，山东济宁汶上县人，中共党员，生前系北京市海淀区北安河消防救援站班长。", ""},
		{"曲阜路 is a Shanghai road", "市绿化市容局介绍，紫薇是上海重要的夏花植物。赏花地点：共和新路中山北路曲阜路桃浦西路新村路。", ""},
		{"曲阜师院 as an alma mater", "原标题：8旬老人作诗颂威海 家住经开区的居民林治广今年85岁。上个世纪六十年代自曲阜师院毕业后去往吉林从事林业工作。", ""},
		{"烟台至曲阜东 is a route", "近日，烟台至曲阜东的G6984次列车，在无停车计划的章丘北车站临时停车6分钟。一名旅客突发疾病。", ""},
		{"a Dezhou earthquake with one photo in 嘉祥", "6日，山东德州市平原县发生5.5级地震。山东济南、德州、济宁等地多位博主称天空出现红光。该博主还称，自己是在济宁嘉祥县拍到的。", ""},
		{"police elsewhere, suspect also stole in 泗水", "原标题：流窜作案，韩某某被济南警方抓了 6月13日济南市钢城区某村发生一起入室盗窃婚礼礼金案。案发后济南市公安局钢城区分局刑警大队立即开展侦查工作。经串并案件发现济宁市泗水县有多起盗窃婚礼案件，办案人员奔赴泗水获取证据，韩某某供述其窜至泗水盗窃四家彩礼。", ""},
		{"police elsewhere, gang also stole in 邹城", "原标题：滕州：重磅！9名盗窃团伙成员一网打尽！日前滕州警方连续破获多起盗窃案件。该团伙在我市盗窃车辆后流窜到济宁邹城继续实施盗窃，先后在邹城、泰安、滕州等地盗窃。", ""},
		{"a list of stops", "“青春齐鲁 品味淄博”淄台青年文化交流周活动成功举办。此外，研学团还赴曲阜市、泰安市和青岛市参观考察。", ""},
		{"official name in the lead", "大众网记者 朱铜辉 济宁报道7月26日下午，曲阜市人民医院召开上半年工作总结暨下半年重点工作推进会议。", "曲阜"},
		{"Jining context in the lead", "近日，山东济宁嘉祥警方历经一年时间，成功摧毁一个贩卖新型毒品团伙，共抓获涉毒违法嫌疑人52人。", "嘉祥"},
		{"headline names the county", "原标题：山东金乡：警示教育“零距离” 旁听庭审“敲警钟”近日，一起涉嫌受贿案开庭审理，30余名党员干部旁听庭审。", "金乡"},
		{"repeated as the place where things happen", "8月5日上午，冯振的骨灰从北京出发，于当天下午抵达汶上。从汶上西高速口到礼佛大道南端广场，道路两侧尽是群众。烈士魂归汶上故里。", "汶上"},
		{"an alias landmark: 尼山圣境 is in 曲阜", "8月14日，来济宁曲阜尼山圣境，著名演员孙红雷将化身明星讲师，带来专题大师课。戏剧盛宴将在尼山圣境隆重举办。", "曲阜"},
		{"a work's title 《…》", "原标题：电影《邹城往事》在京首映 8月2日，电影在北京首映，观众反响热烈。", ""},
		{"a route in the headline", "原标题：烟台至曲阜东列车为救人临时停车 7月29日，一名旅客在列车上突发疾病，列车在章丘北站临时停车。", ""},
		{"尼山书屋 is a reading-room brand abroad", "原标题：枣庄市在菲律宾海外侨胞之家“中华文化之角·尼山书屋”举行剪纸体验活动 8月17日，枣庄市举行剪纸体验活动。", ""},
		{"two counties, neither clearly", "7月28日山东大部地区出现降雨，曲阜市东北部、泗水县北部降雨量较大。", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, err := json.Marshal(map[string]string{"text": tc.text})
			if err != nil {
				t.Fatal(err)
			}
			arts, probs := readJSONL(t, string(line)+"\n")
			if len(arts) != 1 || len(probs) > 0 {
				t.Fatalf("articles %d problems %v", len(arts), probs)
			}
			if got := arts[0].County; got != tc.want {
				t.Errorf("county %q, want %q", got, tc.want)
			}
			for _, p := range arts[0].Paragraphs {
				if p.County != tc.want {
					t.Errorf("paragraph county %q, want %q", p.County, tc.want)
				}
			}
		})
	}
}

func TestGazetteerValidation(t *testing.T) {
	for _, data := range []string{
		`{"counties":[{"name":"甲县","short":"甲"},{"name":"乙县","short":"甲"}]}`,
		`{"counties":[{"name":"","short":"甲"}]}`,
		`not json`,
	} {
		if _, err := corpus.ParseGazetteer([]byte(data)); err == nil {
			t.Errorf("ParseGazetteer(%s) accepted a broken gazetteer", data)
		}
	}
	tax, err := corpus.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Programs) < 15 {
		t.Errorf("%d programs, want at least 15", len(tax.Programs))
	}
	if got := fmt.Sprint(tax.Match("创建“红色物业”示范小区", "标题")); got != "[红色物业]" {
		t.Errorf("Match = %s", got)
	}
}

func TestGazetteerMentions(t *testing.T) {
	g, err := corpus.DefaultGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text, want string
	}{
		{"金乡 微山县", "map[微山:2 金乡:1]"},
		{"微山湖畔", "map[]"},
		{"梁山伯与祝英台", "map[]"},
		{"吕梁山", "map[]"},
		{"智慧中都", "map[汶上:1]"},
	} {
		if got := fmt.Sprint(g.Mentions(tc.text)); got != tc.want {
			t.Errorf("Mentions(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}
