package api

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocument: the document is valid OpenAPI 3 whose examples
// validate against their schemas; every route is documented with the
// scope it needs (x-lpx-scope) and every documented route exists; every
// request body has an example.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation(), openapi3.EnableMultiError()); err != nil {
		t.Fatalf("the document does not validate:\n%v", err)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]route{}
	for _, r := range append(append([]route(nil), routes...), opsRoutes...) {
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = r
	}
	// The demo routes are served only with a faucet (the embedded demo
	// mode); they are documented all the same, marked x-lpx-demo-only.
	demoOnly := map[string]bool{}
	for _, r := range demoRoutes {
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		served[key], demoOnly[key] = r, true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			documented[key] = true
			r, ok := served[key]
			if !ok {
				t.Errorf("documented but not served: %s", key)
				continue
			}
			if marked, _ := op.Extensions["x-lpx-demo-only"].(bool); marked != demoOnly[key] {
				t.Errorf("%s: x-lpx-demo-only is %v; the route is demo-only: %v", key, marked, demoOnly[key])
			}
			if strings.HasPrefix(path, "/v1/") {
				scope := "public"
				if r.Scope != public {
					scope = string(r.Scope)
				}
				if got, _ := op.Extensions["x-lpx-scope"].(string); got != scope {
					t.Errorf("%s: x-lpx-scope %q, the route needs %q", key, got, scope)
				}
			}
			if op.RequestBody != nil {
				for ct, media := range op.RequestBody.Value.Content {
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("%s: the %s request body has no example", key, ct)
					}
				}
			}
		}
	}
	for key := range served {
		if !documented[key] {
			t.Errorf("served but not documented: %s", key)
		}
	}
	// The web page's files are not API routes: excluded from the route
	// table the document is checked against, and not documented.
	if len(webRoutes) == 0 {
		t.Fatal("no web routes")
	}
	for _, r := range webRoutes {
		key := r.Method + " " + r.Path
		if documented[key] || doc.Paths.Find(r.Path) != nil {
			t.Errorf("the web route %s is in the OpenAPI document", key)
		}
		if _, ok := served[key]; ok {
			t.Errorf("the web route %s is among the API's routes", key)
		}
		if r.Path != "/" && r.Path != "/*" {
			t.Errorf("web route %s: only / and /* serve the page", key)
		}
	}
}
