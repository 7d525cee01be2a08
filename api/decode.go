package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"
)

// maxDecimalLen bounds an amount or price string: 19 integer digits
// (int64), a point and 18 decimals, and then some.
const maxDecimalLen = 40

// decimalPattern is the only form of an amount or a price: digits, and
// optionally a point followed by digits. No sign, no exponent, no spaces.
var decimalPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// decodeJSON reads the request body into dst strictly: it must be one JSON
// object with only dst's fields, of the right types, and nothing after it.
// The body's size is bounded by the server's BodyLimit before this runs.
func decodeJSON(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return Errorf("malformed_json", "the request needs a JSON body")
	}
	if ct := string(c.Request().Header.ContentType()); ct != "" && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return Errorf("unsupported_content", "send the body as application/json, not %q", ct)
	}
	return decodeStrict(body, dst)
}

// decodeStrict is decodeJSON's body: shared with the fuzz targets.
func decodeStrict(body []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return Errorf("malformed_json", "data after the JSON object")
	}
	return nil
}

// jsonError turns encoding/json's errors into precise 400s.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return Errorf("malformed_json", "malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return Errorf("malformed_json", "the body must be a JSON object")
		}
		want := te.Type.String()
		if want == "string" {
			want = "a string (amounts and prices are decimal strings)"
		}
		return Errorf("wrong_type", "field %q must be %s, not a JSON %s", field, want, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Errorf("malformed_json", "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Errorf("unknown_field", "%s is not a field of this request", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return Errorf("malformed_json", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// parseUnits reads s, a decimal string, as an integer number of units of
// 10^-scale: "12.5" at scale 2 is 1250. It refuses an empty or malformed
// string, more decimals than scale, and a value past int64. Zero is
// allowed; see parsePositive.
func parseUnits(field, s string, scale uint8) (int64, error) {
	if s == "" {
		return 0, Errorf("missing_field", "field %q is required", field)
	}
	if len(s) > maxDecimalLen || !decimalPattern.MatchString(s) {
		return 0, Errorf("invalid_decimal", "field %q must be a decimal string such as \"12.5\" (digits, an optional point, at most %d characters), not %q", field, maxDecimalLen, clip(s))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, Errorf("invalid_decimal", "field %q: %q is not a decimal", field, clip(s))
	}
	shifted := d.Shift(int32(scale))
	if !shifted.Equal(shifted.Truncate(0)) {
		return 0, Errorf("too_many_decimals", "field %q has more than %d decimals: %s", field, scale, s)
	}
	if !shifted.IsInteger() || shifted.GreaterThan(decimal.NewFromInt(1<<63-1)) {
		return 0, Errorf("amount_too_large", "field %q is too large: %s", field, s)
	}
	return shifted.IntPart(), nil
}

// parsePositive is parseUnits for a value that must be above zero.
func parsePositive(field, s string, scale uint8) (int64, error) {
	u, err := parseUnits(field, s, scale)
	if err == nil && u == 0 {
		return 0, Errorf("invalid_amount", "field %q must be above zero", field)
	}
	return u, err
}

// formatUnits writes units of 10^-scale as a decimal string with exactly
// scale decimals: 1250 at scale 2 is "12.50".
func formatUnits(units int64, scale uint8) string {
	return decimal.New(units, -int32(scale)).StringFixed(int32(scale))
}

// clip shortens what a client sent before it is quoted in an error.
func clip(s string) string {
	if len(s) > 48 {
		return s[:48] + "..."
	}
	return s
}

// queryInt reads an optional integer query parameter within [lo, hi];
// absent, it is def.
func queryInt(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, Errorf("invalid_parameter", "query parameter %q must be an integer from %d to %d, not %q", name, lo, hi, clip(v))
	}
	return n, nil
}

// pathID reads a positive integer id from the path; anything else is the
// 404 an unknown id gets.
func pathID(c *fiber.Ctx, name, what string) (uint64, error) {
	v := c.Params(name)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, Errorf("not_found", "no %s %q", what, clip(v))
	}
	return n, nil
}

// errMissing is a 400 for a required field left out.
func errMissing(field string) error {
	return Errorf("missing_field", "field %q is required", field)
}

// errInvalid is a 400 for a field with a value outside its set.
func errInvalid(field string, v any, allowed string) error {
	return Errorf("invalid_"+field, "field %q: %v is not one of %s", field, v, allowed)
}

// jsonBody returns the request body after decodeJSON's checks of its
// presence and content type, for the decoders that take bytes (and are
// fuzzed as such).
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, Errorf("malformed_json", "the request needs a JSON body")
	}
	if ct := string(c.Request().Header.ContentType()); ct != "" && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return nil, Errorf("unsupported_content", "send the body as application/json, not %q", ct)
	}
	return body, nil
}
