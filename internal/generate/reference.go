package generate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// CentreCode is the unit id of the provincial public administration service
// centre, the agency the seed bulletin reports on.
const CentreCode = "000.00.06.H56"

// referenceRecorded is the provenance time of the reference records: a fixed
// instant, because generated data must not depend on the clock. It is the
// first day the default calendar covers.
var referenceRecorded = time.Date(2019, 1, 1, 0, 0, 0, 0, calendar.Vietnam).UTC()

// Data is the reference data dossiers are generated against.
type Data struct {
	Agencies   []*registry.Agency
	Procedures []*registry.Procedure
}

// districts are the district-level one-stop desks. The names are the
// province's real districts; the numbering of unit ids is invented.
var districts = []struct{ code, name string }{
	{"000.00.21.H56", "Bộ phận một cửa thành phố Thái Bình"},
	{"000.00.22.H56", "Bộ phận một cửa huyện Quỳnh Phụ"},
	{"000.00.23.H56", "Bộ phận một cửa huyện Hưng Hà"},
	{"000.00.24.H56", "Bộ phận một cửa huyện Đông Hưng"},
	{"000.00.25.H56", "Bộ phận một cửa huyện Thái Thụy"},
	{"000.00.26.H56", "Bộ phận một cửa huyện Tiền Hải"},
	{"000.00.27.H56", "Bộ phận một cửa huyện Kiến Xương"},
	{"000.00.28.H56", "Bộ phận một cửa huyện Vũ Thư"},
}

// communeNames is the pool the seed draws commune names from: common
// Vietnamese commune names, not a gazetteer of the province.
var communeNames = []string{
	"An Bình", "Bình Minh", "Đồng Tâm", "Hòa Bình", "Hồng Phong", "Minh Khai",
	"Quang Trung", "Tân Lập", "Thanh Tân", "Thống Nhất", "Tiến Đức", "Việt Thuận",
	"Nam Hải", "Đông Xuyên", "Phú Xuân", "Hòa Tiến", "Quỳnh Hoa", "Hồng Lĩnh",
	"Vũ Lạc", "Tây Sơn", "Đình Phùng", "Nam Cao", "Thụy Liên", "An Ninh",
	"Trung An", "Song Lãng", "Hiệp Hòa", "Bách Thuận", "Nguyên Xá", "Duy Nhất",
}

const communeCount = 20

// procedure is one row of the procedure table. Codes follow the national
// database's shape; names and fields are written for this data set and the
// processing times are typical of their kind, not quoted from a decision.
type procedure struct {
	code  string
	name  string
	field string
	level registry.Level
	days  int
}

var procedures = []procedure{
	{"1.001612", "Đăng ký thành lập doanh nghiệp tư nhân", "Kinh doanh", registry.LevelProvincial, 3},
	{"2.000635", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "Kinh doanh", registry.LevelProvincial, 3},
	{"1.000105", "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam", "Tư pháp", registry.LevelProvincial, 10},
	{"1.003029", "Đăng ký hoạt động văn phòng công chứng", "Tư pháp", registry.LevelProvincial, 10},
	{"2.001815", "Cấp giấy phép xây dựng công trình cấp I, cấp II", "Xây dựng", registry.LevelProvincial, 20},
	{"1.003560.000.00.00.H56", "Giao đất, cho thuê đất đối với tổ chức trên địa bàn tỉnh", "Đất đai", registry.LevelProvincial, 20},
	{"1.004227", "Đăng ký biến động quyền sử dụng đất của tổ chức", "Đất đai", registry.LevelProvincial, 10},
	{"1.004655", "Cấp lại giấy chứng nhận quyền sử dụng đất do bị mất", "Đất đai", registry.LevelProvincial, 10},
	{"1.001004", "Cấp giấy phép khai thác, sử dụng nước dưới đất", "Tài nguyên nước", registry.LevelProvincial, 30},
	{"1.002809", "Đổi giấy phép lái xe do ngành giao thông vận tải cấp", "Giao thông vận tải", registry.LevelProvincial, 5},
	{"2.000205", "Cấp giấy phép lao động cho người lao động nước ngoài", "Lao động", registry.LevelProvincial, 5},
	{"1.002339", "Cấp chứng chỉ hành nghề dược", "Y tế", registry.LevelProvincial, 10},
	{"1.005070", "Cấp giấy phép hoạt động phòng khám chuyên khoa", "Y tế", registry.LevelProvincial, 30},
	{"2.001722", "Công nhận trường trung học đạt chuẩn quốc gia", "Giáo dục và Đào tạo", registry.LevelProvincial, 20},
	{"2.000720", "Đăng ký thành lập hộ kinh doanh", "Kinh doanh", registry.LevelDistrict, 3},
	{"1.001266", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Kinh doanh", registry.LevelDistrict, 3},
	{"1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", registry.LevelDistrict, 15},
	{"1.004203", "Đăng ký, cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", registry.LevelDistrict, 30},
	{"2.000889", "Chuyển mục đích sử dụng đất của hộ gia đình, cá nhân", "Đất đai", registry.LevelDistrict, 15},
	{"1.000893", "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", registry.LevelDistrict, 15},
	{"2.000908", "Chứng thực bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp", "Chứng thực", registry.LevelDistrict, 1},
	{"1.003052", "Cấp giấy phép bán lẻ sản phẩm rượu", "Lưu thông hàng hóa", registry.LevelDistrict, 10},
	{"2.001039", "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "Y tế", registry.LevelDistrict, 20},
	{"1.001193", "Đăng ký khai sinh", "Hộ tịch", registry.LevelCommune, 1},
	{"1.000656", "Đăng ký kết hôn", "Hộ tịch", registry.LevelCommune, 3},
	{"1.000419", "Đăng ký khai tử", "Hộ tịch", registry.LevelCommune, 1},
	{"1.004873", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", registry.LevelCommune, 1},
	{"1.002227", "Xác nhận tình trạng hôn nhân", "Hộ tịch", registry.LevelCommune, 3},
	{"2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", registry.LevelCommune, 1},
	{"2.001019", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", registry.LevelCommune, 1},
}

// legalBases are the decrees and laws each field's procedures rest on, besides
// the one-stop decree every procedure cites.
var legalBases = map[string][]string{
	"Kinh doanh":          {"01/2021/NĐ-CP"},
	"Tư pháp":             {"28/2009/QH12"},
	"Xây dựng":            {"15/2021/NĐ-CP"},
	"Đất đai":             {"43/2014/NĐ-CP"},
	"Tài nguyên nước":     {"201/2013/NĐ-CP"},
	"Giao thông vận tải":  {"12/2017/TT-BGTVT"},
	"Lao động":            {"152/2020/NĐ-CP"},
	"Y tế":                {"54/2017/NĐ-CP"},
	"Giáo dục và Đào tạo": {"18/2018/TT-BGDĐT"},
	"Hộ tịch":             {"123/2015/NĐ-CP"},
	"Chứng thực":          {"23/2015/NĐ-CP"},
	"Lưu thông hàng hóa":  {"105/2017/NĐ-CP"},
}

const oneStopDecree = "61/2018/NĐ-CP"

// Reference returns the agencies and procedures: the provincial centre, eight
// district desks and twenty commune desks, and thirty procedures. The seed
// only chooses the commune names and how communes are spread over districts;
// the centre, district and procedure codes are fixed so that configurations
// and tests can name them.
func Reference(seed uint64) Data {
	rng := rand.New(rand.NewPCG(seed, streamReference))
	prov := registry.Provenance{Source: defaultSource(seed), Recorded: referenceRecorded}
	var ref Data
	add := func(code, name, abbr string, level registry.Level, parent string) {
		in := registry.CreateAgencyInput{Code: code, Name: name, Level: level}
		if abbr != "" {
			in.Abbreviation = &abbr
		}
		if parent != "" {
			in.ParentCode = &parent
		}
		ref.Agencies = append(ref.Agencies, must(registry.NewAgency(in, prov)))
	}
	add(CentreCode, "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC", registry.LevelProvincial, "")
	for _, d := range districts {
		add(d.code, d.name, "", registry.LevelDistrict, "")
	}
	// Four districts get three communes and four get two.
	names := append([]string(nil), communeNames...)
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	perDistrict := []int{3, 3, 3, 3, 2, 2, 2, 2}
	rng.Shuffle(len(perDistrict), func(i, j int) { perDistrict[i], perDistrict[j] = perDistrict[j], perDistrict[i] })
	var communes, districtCodes []string
	next := 0
	for i, d := range districts {
		districtCodes = append(districtCodes, d.code)
		for j := range perDistrict[i] {
			// Commune unit ids: 000.<commune>.<district number>.H56.
			code := fmt.Sprintf("000.%02d.%s.H56", j+1, d.code[7:9])
			add(code, "UBND xã "+names[next], "", registry.LevelCommune, d.code)
			communes = append(communes, code)
			next++
		}
	}

	// A procedure record names one implementing body; district- and
	// commune-level procedures are spread over the desks of their level, and
	// dossiers for them are received at any desk of that level.
	var nDistrict, nCommune int
	for _, p := range procedures {
		agency := CentreCode
		switch p.level {
		case registry.LevelDistrict:
			agency = districtCodes[nDistrict%len(districtCodes)]
			nDistrict++
		case registry.LevelCommune:
			agency = communes[nCommune%len(communes)]
			nCommune++
		}
		field := p.field
		in := registry.CreateProcedureInput{
			Code: p.code, Name: p.name, Field: &field, Level: p.level, AgencyCode: agency,
			ProcessingDays: p.days, LegalBases: append([]string{oneStopDecree}, legalBases[p.field]...),
		}
		ref.Procedures = append(ref.Procedures, must(registry.NewProcedure(in, prov)))
	}
	return ref
}

// must panics on a reference record the domain refuses: the tables above are
// constants, so that is a programming error the tests catch.
func must[T any](v T, err error) T {
	if err != nil {
		panic("generate: reference data: " + err.Error())
	}
	return v
}

func defaultSource(seed uint64) string { return fmt.Sprintf("generate seed=%d", seed) }
