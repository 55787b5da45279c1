package knowledge

import (
	"slices"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, text, want string
		kinds            []string
	}{
		{"Email", "Contact me at jane.doe+shop@example.co.uk please",
			"Contact me at [EMAIL] please", []string{KindEmail}},
		{"PhoneUKLandline", "call 020 7946 0958 after 5",
			"call [PHONE] after 5", []string{KindPhone}},
		{"PhoneUKMobile", "my mobile is 07700 900123.",
			"my mobile is [PHONE].", []string{KindPhone}},
		{"PhoneUKMobileUnspaced", "text 07700900123",
			"text [PHONE]", []string{KindPhone}},
		{"PhoneInternational", "ring +44 20 7946 0958 today",
			"ring [PHONE] today", []string{KindPhone}},
		{"PhoneInternationalUnspaced", "ring +442079460958",
			"ring [PHONE]", []string{KindPhone}},
		{"PhoneUS", "reach me on (555) 123-4567 or 555.123.4567",
			"reach me on [PHONE] or [PHONE]", []string{KindPhone, KindPhone}},
		{"PhoneUSLeadingOne", "1-800-555-0199 is the number",
			"[PHONE] is the number", []string{KindPhone}},
		{"PhoneTrailingNumber", "call 020 7946 0958 2 times",
			"call [PHONE] 2 times", []string{KindPhone}},
		// 4111 1111 1111 1111 is the standard Visa test number (Luhn-valid).
		{"CardSpaced", "paid with 4111 1111 1111 1111 yesterday",
			"paid with [CARD] yesterday", []string{KindCard}},
		{"CardDashed", "card 5555-5555-5555-4444",
			"card [CARD]", []string{KindCard}},
		{"CardAmex15", "amex 378282246310005", "amex [CARD]", []string{KindCard}},
		{"CardThenYear", "card 4111 1111 1111 1111 2024 expiry", "card [CARD] 2024 expiry", []string{KindCard}},
		{"AddressUK", "send it to 221B Baker Street, London NW1 6XE",
			"send it to [ADDRESS], London [ADDRESS]", []string{KindAddress, KindAddress}},
		{"AddressAbbrev", "I live at 12 Station Rd. in town",
			"I live at [ADDRESS] in town", []string{KindAddress}},
		{"AddressUS", "ship to 1600 Pennsylvania Avenue NW",
			"ship to [ADDRESS] NW", []string{KindAddress}},
		{"AddressLowercaseFullType", "deliver to 4 elm road please",
			"deliver to [ADDRESS] please", []string{KindAddress}},
		{"PostcodeOnly", "postcode SW1A 1AA", "postcode [ADDRESS]", []string{KindAddress}},
		{"Mixed", "Email a@b.io or call +1 555 123 4567 about order 536365",
			"Email [EMAIL] or call [PHONE] about order 536365", []string{KindEmail, KindPhone}},

		// False positives that must stay.
		{"Price", "It cost £12.50, down from £1,299.00 and $49.99", "", nil},
		{"Size", "I am a size 12, bought size 8 and a UK 10", "", nil},
		{"DateSlash", "delivered 12/05/2023 at 10:30", "", nil},
		{"DateISO", "ordered on 2023-12-01", "", nil},
		{"DateDots", "ordered 01.12.2023", "", nil},
		{"OrderNumber", "order 536365 and C536379, invoice 581587", "", nil},
		{"LongOrderNumber", "order 5363651234 arrived", "", nil},
		{"LuhnInvalid", "ref 4111 1111 1111 1112", "", nil},
		{"TwentyDigits", "tracking 12345678901234567890", "", nil},
		{"StockCode", "item 85123A, 71053 and 84406B", "", nil},
		{"ProseRoad", "it spent 2 days on the road", "", nil},
		{"ProseWay", "I returned 3 dresses way too big", "", nil},
		{"ProseCourt", "took 2 weeks to court them", "", nil},
		{"Measurements", "bust 34 waist 28 hips 38, 5 ft 4", "", nil},
		{"Quantity", "bought 10 000 units", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == "" {
				want = tt.text
			}
			got, reds := Redact(tt.text)
			if got != want {
				t.Errorf("Redact(%q) = %q; want %q", tt.text, got, want)
			}
			var kinds []string
			for _, r := range reds {
				kinds = append(kinds, r.Kind)
				if r.Start < 0 || r.End > len(tt.text) || r.Start >= r.End {
					t.Errorf("Redact(%q) span [%d,%d) out of range", tt.text, r.Start, r.End)
				}
			}
			if !slices.Equal(kinds, tt.kinds) {
				t.Errorf("Redact(%q) kinds = %v; want %v", tt.text, kinds, tt.kinds)
			}
		})
	}
}

func TestRedact_Offsets(t *testing.T) {
	text := "mail x@y.com now"
	_, reds := Redact(text)
	if len(reds) != 1 {
		t.Fatalf("Redact(%q) gave %d spans; want 1", text, len(reds))
	}
	if got := text[reds[0].Start:reds[0].End]; got != "x@y.com" {
		t.Errorf("Redact(%q) span = %q; want %q", text, got, "x@y.com")
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		digits string
		want   bool
	}{
		{"79927398713", true}, // the worked example in ISO/IEC 7812-1 descriptions
		{"79927398710", false},
		{"4111111111111111", true},
		{"4111111111111112", false},
		{"", false},
		{"12a4", false},
	}
	for _, tt := range tests {
		if got := Luhn(tt.digits); got != tt.want {
			t.Errorf("Luhn(%q) = %v; want %v", tt.digits, got, tt.want)
		}
	}
}
