package story

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// text1 is a real news article (news-2023), printed by several outlets.
const text1 = "中新网哈尔滨8月3日电(记者姜辉)3日凌晨起，哈尔滨市又开始持续降雨，截至2日17时，局部累计降水量已达254.5毫米。2日9时至3日8时，黑龙江省已连续发布8次暴雨红色预警信号。3日白天到夜间，齐齐哈尔西部、哈尔滨东部、七台河、鸡西西部、牡丹江大部阴有大雨，其中哈尔滨东部、牡丹江西部局地暴雨，个别乡镇有大暴雨。2日凌晨起，哈尔滨市开始降雨，一直持续到当日下午，哈尔滨市中央大街、景阳街、南马路等区域一度积水严重，造成部分车辆在水中熄火。哈尔滨市消防、环卫等部门紧急行动，全力排涝。哈尔滨市人民政府防汛抗旱指挥部发布通告，今年第5号台风“杜苏芮”将给哈尔滨市带来强降雨过程，决定自2日15时起至3日15时，对道里、道外、南岗、香坊、平房、松北、阿城、双城、五常、尚志、宾县、延寿等地采取防汛应急措施。其中包括，学校、托儿所、幼儿园和各类教育培训机构停课；在建工地停工，停止高空作业和户外作业；旅游景区(点)、公园、户外游乐场所等关闭；长途客运、渡口、码头停运；市民非必要不外出。黑龙江省气象局发布的气象预报信息显示，3日至4日，黑龙江省南部地区过程累计雨量大，并伴有短时强降水、雷暴大风等强对流天气，南部地区中小河流洪水、地质灾害、山洪、城乡积涝、农田渍涝等次生灾害气象风险高。(完)"
const text2 = "IT之家8月16日消息，英特尔已经为游戏开发者提供了最新的XeSS 1.2.0版本，附带最新的SDK（软件开发工具包），并更新了7月27日编译的libxess.dll文件。英特尔XeSS 1.2向后兼容XeSS 1.0和1.1。此外，官方变更日志指出，新版本已经支持动态分辨率缩放。"

func TestSign(t *testing.T) {
	tests := []struct {
		name    string
		a, b    string
		maxDist int // -1: must be far apart (> MaxDistance)
	}{
		{"same text", text1, text1, 0},
		{"punctuation, spaces and width do not count", text1, strings.NewReplacer("，", " ", "。", "\n", "(", "（", "8", "８", "哈", "哈").Replace(text1), 0},
		{"a copy with another outlet's prefix", text1, "原标题：黑龙江连续发布暴雨预警" + text1, MaxDistance},
		{"a copy missing its last sentence", text1, text1[:strings.LastIndex(text1[:len(text1)-4], "。")+3], MaxDistance},
		{"another story", text1, text2, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Sign(tt.a), Sign(tt.b)
			if a == 0 || b == 0 {
				t.Fatalf("no signature: %x %x", a, b)
			}
			d := Distance(a, b)
			if tt.maxDist < 0 && d <= MaxDistance {
				t.Errorf("distance %d ≤ %d: different stories would be grouped", d, MaxDistance)
			}
			if tt.maxDist >= 0 && d > tt.maxDist {
				t.Errorf("distance %d > %d", d, tt.maxDist)
			}
		})
	}
	if s := Sign("一则短讯。"); s != 0 {
		t.Errorf("a short text got signature %x, want none", s)
	}
	cut := strings.Index(text1, "。") + len("。")
	if Sign(text1[:cut], text1[cut:]) != Sign(text1) {
		t.Error("a text cut into paragraphs signs differently from the whole")
	}
}

// bruteGroup is the reference: every pair compared, components by
// repeated relabelling, each named by its smallest ID.
func bruteGroup(ms []Member, maxDist int) map[string]string {
	sig := map[string]Signature{}
	for _, m := range ms {
		if m.Sig != 0 && (sig[m.ID] == 0 || m.Sig < sig[m.ID]) {
			sig[m.ID] = m.Sig
		} else if _, ok := sig[m.ID]; !ok {
			sig[m.ID] = 0
		}
	}
	label := map[string]string{}
	for id := range sig {
		label[id] = id
	}
	for changed := true; changed; {
		changed = false
		for a, sa := range sig {
			for b, sb := range sig {
				if sa != 0 && sb != 0 && Distance(sa, sb) <= maxDist && label[b] < label[a] {
					label[a], changed = label[b], true
				}
			}
		}
	}
	return label
}

// TestGroupMatchesBruteForce checks the pigeonhole candidates against
// comparing every pair, on random signatures planted in clusters (so that
// there are chains and near misses), and that the result does not depend
// on the order of the members.
func TestGroupMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 30 {
		var ms []Member
		for c := range 8 {
			base := rng.Uint64()
			for i := range 1 + rng.IntN(6) {
				s := base
				for range rng.IntN(2*MaxDistance + 2) {
					s ^= 1 << rng.IntN(64)
				}
				if rng.IntN(10) == 0 {
					s = 0 // no signature
				}
				ms = append(ms, Member{ID: fmt.Sprintf("r%d-c%d-%d", round, c, i), Sig: Signature(s)})
			}
		}
		if len(ms) > 2 {
			ms = append(ms, Member{ID: ms[1].ID, Sig: ms[1].Sig}) // the same article twice
		}
		want := bruteGroup(ms, MaxDistance)
		got := Group(ms)
		for i, m := range ms {
			if got[i] != want[m.ID] {
				t.Fatalf("round %d: %s in story %s, want %s", round, m.ID, got[i], want[m.ID])
			}
		}
		shuffled := slices.Clone(ms)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for i, s := range Group(shuffled) {
			if s != want[shuffled[i].ID] {
				t.Fatalf("round %d: shuffled order puts %s in %s, want %s", round, shuffled[i].ID, s, want[shuffled[i].ID])
			}
		}
	}
}

func TestGroupChainsAndIDs(t *testing.T) {
	a := Signature(0xF0F0F0F0F0F0F0F0)
	b := a ^ 0b111111                      // 6 bits from a
	c := b ^ 0b111111<<20                  // 6 bits from b, 12 from a: joined through b
	d := a ^ Signature(0xFFFFFFFFFFFFFFFF) // far from all
	got := Group([]Member{{"z", a}, {"m", b}, {"b", c}, {"q", d}, {"k", 0}})
	want := []string{"b", "b", "b", "q", "k"}
	if !slices.Equal(got, want) {
		t.Errorf("Group = %v, want %v", got, want)
	}
}

// BenchmarkGroup groups 60,000 articles (news-2023's size) with random
// signatures and one copy of every twentieth: the work an index does when
// it is opened.
func BenchmarkGroup(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ms []Member
	for i := range 60_000 {
		s := Signature(rng.Uint64())
		ms = append(ms, Member{ID: fmt.Sprintf("%016x", rng.Uint64()), Sig: s})
		if i%20 == 0 {
			ms = append(ms, Member{ID: fmt.Sprintf("%016x", rng.Uint64()), Sig: s ^ 0b101})
		}
	}
	b.ResetTimer()
	for range b.N {
		Group(ms)
	}
}
