// Command extract writes the part of an OCSF schema release that the OCSF
// output's validator needs (internal/report/ocsf_test.go): one event class
// with its inherited attributes, included files and chosen profiles resolved
// the way the OCSF schema server resolves them, the objects the output uses,
// and the JSON kind of every data type. The schema is read from a checkout of
// github.com/ocsf/ocsf-schema at a release tag:
//
//	git clone --branch v1.1.0 https://github.com/ocsf/ocsf-schema /tmp/ocsf
//	go run ./internal/report/testdata/ocsf/extract -schema /tmp/ocsf \
//	    -commit "$(git -C /tmp/ocsf rev-parse HEAD)" > internal/report/testdata/ocsf/schema-1.1.0.json
//
// It lives under testdata so that it is no part of the build.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/secadvisor/secadvisor/internal/report/testdata/ocsf/ocsfschema"
)

func main() {
	schema := flag.String("schema", "", "directory of an ocsf-schema checkout")
	commit := flag.String("commit", "", "commit of the checkout, recorded in the extract")
	class := flag.String("class", "events/findings/detection_finding.json", "event class file")
	profiles := flag.String("profiles", "cloud", "comma-separated profiles the output applies")
	objects := flag.String("objects", "metadata,product,finding_info,analytic,cloud,account,resource_details,remediation", "comma-separated objects the output uses")
	flag.Parse()
	if err := run(*schema, *commit, *class, strings.Split(*profiles, ","), strings.Split(*objects, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

type raw = map[string]any

func run(dir, commit, classFile string, profiles, objects []string) error {
	read := func(name string) (raw, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var v raw
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return v, nil
	}
	version, err := read("version.json")
	if err != nil {
		return err
	}
	dict, err := read("dictionary.json")
	if err != nil {
		return err
	}
	categories, err := read("categories.json")
	if err != nil {
		return err
	}
	dictAttrs := dict["attributes"].(raw)

	// attrs resolves one file's attributes: its parent's (extends), then its
	// included files (profiles only when applied), then its own, each layer
	// deep-merged over the one before.
	var attrs func(file string) (raw, raw, error)
	attrs = func(file string) (raw, raw, error) {
		def, err := read(file)
		if err != nil {
			return nil, nil, err
		}
		out := raw{}
		if parent, ok := def["extends"].(string); ok {
			pfile := filepath.Join(filepath.Dir(file), parent+".json")
			if _, err := os.Stat(filepath.Join(dir, pfile)); err != nil {
				pfile = filepath.Join(filepath.Dir(filepath.Dir(file)), parent+".json")
			}
			out, _, err = attrs(pfile)
			if err != nil {
				return nil, nil, err
			}
		}
		own := def["attributes"].(raw)
		if incs, ok := own["$include"].([]any); ok {
			for _, inc := range incs {
				name := inc.(string)
				included, err := read(name)
				if err != nil {
					return nil, nil, err
				}
				if strings.HasPrefix(name, "profiles/") && !slices.Contains(profiles, included["name"].(string)) {
					continue
				}
				merge(out, included["attributes"].(raw))
			}
		}
		merge(out, own)
		delete(out, "$include")
		return out, def, nil
	}
	resolve := func(in raw) map[string]ocsfschema.Attribute {
		out := map[string]ocsfschema.Attribute{}
		for name, v := range in {
			a := raw{}
			d, ok := dictAttrs[name].(raw)
			if !ok {
				panic("attribute not in dictionary: " + name)
			}
			merge(a, deepCopy(d))
			merge(a, v.(raw))
			attr := ocsfschema.Attribute{Type: str(a["type"]), Sibling: str(a["sibling"])}
			attr.Requirement = str(a["requirement"])
			if attr.Requirement == "" {
				attr.Requirement = "optional"
			}
			attr.IsArray, _ = a["is_array"].(bool)
			if t := str(a["object_type"]); attr.Type == "object_t" && t != "" {
				attr.Type = t
			}
			if e, ok := a["enum"].(raw); ok {
				attr.Enum = map[string]string{}
				for k, v := range e {
					attr.Enum[k] = str(v.(raw)["caption"])
				}
			}
			out[name] = attr
		}
		return out
	}

	classAttrs, classDef, err := attrs(classFile)
	if err != nil {
		return err
	}
	category := categories["attributes"].(raw)[classDef["category"].(string)].(raw)
	catUID := int(category["uid"].(float64))
	uid := catUID*1000 + int(classDef["uid"].(float64))
	c := ocsfschema.Class{Name: str(classDef["name"]), Caption: str(classDef["caption"]), UID: uid, CategoryUID: catUID, Attributes: resolve(classAttrs)}
	// The OCSF server computes these enums from the class and its category.
	set := func(name string, enum map[string]string) {
		a := c.Attributes[name]
		a.Enum = enum
		c.Attributes[name] = a
	}
	set("class_uid", map[string]string{strconv.Itoa(uid): c.Caption})
	set("category_uid", map[string]string{strconv.Itoa(catUID): str(category["caption"])})
	types := map[string]string{}
	for act, caption := range c.Attributes["activity_id"].Enum {
		n, _ := strconv.Atoi(act)
		types[strconv.Itoa(uid*100+n)] = c.Caption + ": " + caption
	}
	set("type_uid", types)

	x := ocsfschema.Extract{
		OCSFVersion: str(version["version"]),
		Source:      "https://github.com/ocsf/ocsf-schema/tree/v" + str(version["version"]),
		Commit:      commit,
		Profiles:    profiles,
		Class:       c,
		Objects:     map[string]ocsfschema.Object{},
		Types:       map[string]string{},
	}
	for _, name := range objects {
		a, def, err := attrs(filepath.Join("objects", name+".json"))
		if err != nil {
			return err
		}
		o := ocsfschema.Object{Attributes: resolve(a)}
		// Constraints are inherited unless the object sets its own.
		for file := filepath.Join("objects", name+".json"); file != ""; {
			if cs, ok := def["constraints"].(raw); ok {
				o.Constraints = map[string][]string{}
				for k, v := range cs {
					for _, s := range v.([]any) {
						o.Constraints[k] = append(o.Constraints[k], s.(string))
					}
				}
				break
			}
			parent, ok := def["extends"].(string)
			if !ok {
				break
			}
			file = filepath.Join("objects", parent+".json")
			if def, err = read(file); err != nil {
				return err
			}
		}
		x.Objects[name] = o
	}
	kinds := map[string]string{"string_t": "string", "integer_t": "integer", "long_t": "integer", "float_t": "number", "boolean_t": "boolean", "json_t": "any"}
	for name, v := range dict["types"].(raw)["attributes"].(raw) {
		base := name
		if t := str(v.(raw)["type"]); t != "" {
			base = t
		}
		kind, ok := kinds[base]
		if !ok {
			return fmt.Errorf("type %s: unknown base type %s", name, base)
		}
		x.Types[name] = kind
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// merge deep-merges src into dst: objects merge key by key, anything else
// is replaced.
func merge(dst, src raw) {
	for k, v := range src {
		if sv, ok := v.(raw); ok {
			if dv, ok := dst[k].(raw); ok {
				merge(dv, sv)
				continue
			}
			dst[k] = deepCopy(sv)
			continue
		}
		dst[k] = v
	}
}

func deepCopy(v raw) raw {
	out := maps.Clone(v)
	for k, x := range out {
		if m, ok := x.(raw); ok {
			out[k] = deepCopy(m)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
