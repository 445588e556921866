package generate

import (
	"math/rand/v2"
	"strconv"

	"github.com/vnregistry/registry/internal/registry"
)

// Surnames with their rough frequency: Nguyễn alone is about a third of the
// population.
var surnames = []struct {
	name   string
	weight int
}{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Vũ", 5},
	{"Phan", 4}, {"Đặng", 3}, {"Bùi", 3}, {"Đỗ", 3}, {"Ngô", 2}, {"Dương", 2}, {"Lý", 1},
	{"Đinh", 2}, {"Mai", 1}, {"Trịnh", 2},
}

var surnameTotal = func() int {
	n := 0
	for _, s := range surnames {
		n += s.weight
	}
	return n
}()

var (
	maleMiddle   = []string{"Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Công"}
	femaleMiddle = []string{"Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Phương", "Minh"}
	maleGiven    = []string{"Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Sơn", "Cường", "Khánh", "Thắng", "Hiếu", "Toàn", "Phúc", "Bình", "Trung", "Đạt"}
	femaleGiven  = []string{"Hương", "Lan", "Hà", "Mai", "Linh", "Trang", "Thảo", "Phương", "Hoa", "Yến", "Huyền", "Ngân", "Nhung", "Thủy", "Hằng", "Oanh"}
	tradeNames   = []string{"Minh Phát", "Thành Đạt", "Hưng Thịnh", "An Khang", "Phú Gia", "Đại Việt", "Hoàng Long", "Tân Phát", "Việt Tiến", "Bình An", "Kim Ngân", "Đông Á"}
	companyKinds = []string{"Công ty TNHH ", "Công ty TNHH Thương mại ", "Công ty Cổ phần ", "Công ty TNHH Xây dựng "}
	phonePrefix  = []string{"086", "096", "097", "098", "032", "033", "034", "035", "091", "094", "088", "090", "093", "089", "070", "079", "081", "083", "085"}
)

// person returns a synthetic full name and whether it is a woman's.
func person(rng *rand.Rand) (string, bool) {
	k := rng.IntN(surnameTotal)
	sur := surnames[len(surnames)-1].name
	for _, s := range surnames {
		if k < s.weight {
			sur = s.name
			break
		}
		k -= s.weight
	}
	if rng.IntN(2) == 0 {
		return sur + " " + pick(rng, femaleMiddle) + " " + pick(rng, femaleGiven), true
	}
	return sur + " " + pick(rng, maleMiddle) + " " + pick(rng, maleGiven), false
}

// applicant is a person with a 12-digit citizen id (province code 034, then
// the sex-and-century digit and the year of birth), or for the procedures
// businesses file, sometimes a company with a 10-digit tax code.
func applicant(rng *rand.Rand, p *registry.Procedure) registry.ApplicantInput {
	var name, id string
	if p.Level == registry.LevelProvincial && rng.IntN(2) == 0 {
		name = pick(rng, companyKinds) + pick(rng, tradeNames)
		id = "10" + digits(rng, 8)
	} else {
		var woman bool
		name, woman = person(rng)
		year := 1950 + rng.IntN(55)
		sex := 0
		if year >= 2000 {
			sex = 2
		}
		if woman {
			sex++
		}
		id = "034" + strconv.Itoa(sex) + strconv.Itoa(year%100/10) + strconv.Itoa(year%10) + digits(rng, 6)
	}
	phone := pick(rng, phonePrefix) + digits(rng, 7)
	return registry.ApplicantInput{Name: name, IDNumber: &id, Phone: &phone}
}

func digits(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// departments names the specialist unit that appraises a field's dossiers
// at the provincial and the district level.
var departments = map[string][2]string{
	"Kinh doanh":          {"Sở Kế hoạch và Đầu tư", "Phòng Tài chính - Kế hoạch"},
	"Tư pháp":             {"Sở Tư pháp", "Phòng Tư pháp"},
	"Hộ tịch":             {"Sở Tư pháp", "Phòng Tư pháp"},
	"Chứng thực":          {"Sở Tư pháp", "Phòng Tư pháp"},
	"Xây dựng":            {"Sở Xây dựng", "Phòng Kinh tế và Hạ tầng"},
	"Đất đai":             {"Sở Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường"},
	"Tài nguyên nước":     {"Sở Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường"},
	"Giao thông vận tải":  {"Sở Giao thông vận tải", "Phòng Kinh tế và Hạ tầng"},
	"Lao động":            {"Sở Lao động - Thương binh và Xã hội", "Phòng Lao động - Thương binh và Xã hội"},
	"Y tế":                {"Sở Y tế", "Phòng Y tế"},
	"Giáo dục và Đào tạo": {"Sở Giáo dục và Đào tạo", "Phòng Giáo dục và Đào tạo"},
	"Lưu thông hàng hóa":  {"Sở Công Thương", "Phòng Kinh tế và Hạ tầng"},
}

// units returns who appraises a procedure's dossiers and who signs the result.
func units(p *registry.Procedure) (dept, leader string) {
	switch p.Level {
	case registry.LevelCommune:
		switch p.Field {
		case "Hộ tịch", "Chứng thực", "Tư pháp":
			return "Công chức Tư pháp - Hộ tịch", "Chủ tịch UBND xã"
		case "Đất đai", "Xây dựng":
			return "Công chức Địa chính - Xây dựng", "Chủ tịch UBND xã"
		}
		return "Công chức Văn phòng - Thống kê", "Chủ tịch UBND xã"
	case registry.LevelDistrict:
		if d, ok := departments[p.Field]; ok {
			return d[1], "Lãnh đạo UBND huyện"
		}
		return "Phòng chuyên môn", "Lãnh đạo UBND huyện"
	}
	if d, ok := departments[p.Field]; ok {
		return d[0], "Lãnh đạo " + d[0]
	}
	return "Cơ quan chuyên môn", "Lãnh đạo cơ quan chuyên môn"
}

var (
	supplementNotes = []string{
		"Bổ sung bản sao chứng thực giấy tờ tùy thân",
		"Bổ sung văn bản ủy quyền hợp lệ",
		"Điều chỉnh thông tin kê khai trong tờ khai",
		"Bổ sung giấy tờ chứng minh quyền sử dụng đất",
		"Bổ sung bản vẽ có chữ ký của người lập",
	}
	apologyNotes = []string{
		"Cần xác minh thực địa, xin lỗi và hẹn lại ngày trả kết quả",
		"Chờ ý kiến phối hợp của cơ quan liên quan",
		"Hồ sơ phức tạp, cần thêm thời gian thẩm định",
	}
	refuseNotes = []string{
		"Thành phần hồ sơ không đầy đủ theo quy định",
		"Hồ sơ không thuộc thẩm quyền giải quyết",
	}
	stopNotes = []string{
		"Hồ sơ không đủ điều kiện để tiếp tục giải quyết",
		"Dừng xử lý theo đề nghị của cơ quan có thẩm quyền",
	}
)

func obligationNote(p *registry.Procedure) string {
	if p.Field == "Đất đai" {
		return "Thông báo nộp tiền sử dụng đất, lệ phí trước bạ"
	}
	return "Thông báo nộp phí, lệ phí theo quy định"
}

// obligationRate is how often a procedure's dossiers wait for fees or taxes:
// land and building dossiers usually do.
func obligationRate(p *registry.Procedure) float64 {
	switch p.Field {
	case "Đất đai":
		return 0.5
	case "Xây dựng":
		return 0.2
	case "Kinh doanh":
		return 0.1
	}
	return 0.03
}
