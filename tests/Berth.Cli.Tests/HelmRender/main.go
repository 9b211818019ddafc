// helmrender renders a chart directory the way `helm template` does, for the subset Berth's charts use:
// templates/*.yaml executed with Go's text/template (the engine Helm uses) over .Values, .Release and .Chart,
// missing values rendering as empty like Helm's non-strict mode. It has none of Helm's extra functions (sprig,
// include, toYaml ...): a chart that needs one fails to parse here, which is what the test wants to know.
//
// Go's standard library has no YAML decoder, so the values come as JSON (the test converts values.yaml) and
// Chart.yaml is read only for its top-level name.
//
// Usage: helmrender -chart DIR -values FILE.json [-name RELEASE] [-namespace NS] [-set a.b.c=v]...
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	chart := flag.String("chart", "", "chart directory")
	valuesFile := flag.String("values", "", "values as JSON")
	release := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	var sets setFlags
	flag.Var(&sets, "set", "override a value: a.b.c=v (integers become numbers, like helm --set)")
	flag.Parse()
	if err := run(*chart, *valuesFile, *release, *namespace, sets); err != nil {
		fmt.Fprintln(os.Stderr, "helmrender:", err)
		os.Exit(1)
	}
}

func run(chart, valuesFile, release, namespace string, sets []string) error {
	values := map[string]interface{}{}
	if valuesFile != "" {
		data, err := os.ReadFile(valuesFile)
		if err != nil {
			return err
		}
		decoder := json.NewDecoder(bytes.NewReader(data))
		decoder.UseNumber()
		if err := decoder.Decode(&values); err != nil {
			return fmt.Errorf("%s: %w", valuesFile, err)
		}
	}
	for _, s := range sets {
		if err := set(values, s); err != nil {
			return err
		}
	}
	name, err := chartName(filepath.Join(chart, "Chart.yaml"))
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(chart, "templates", "*"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	data := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Chart":   map[string]interface{}{"Name": name, "Version": "0.1.0"},
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, file := range files {
		base := filepath.Base(file)
		// Helm renders every file in templates/ except partials (_*) and NOTES.txt.
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		text, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		source := name + "/templates/" + base
		t, err := template.New(source).Option("missingkey=zero").Parse(string(text))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return err
		}
		rendered := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(rendered) == "" {
			continue
		}
		fmt.Fprintf(out, "---\n# Source: %s\n%s", source, rendered)
		if !strings.HasSuffix(rendered, "\n") {
			fmt.Fprintln(out)
		}
	}
	return nil
}

func set(values map[string]interface{}, assignment string) error {
	eq := strings.Index(assignment, "=")
	if eq < 0 {
		return fmt.Errorf("--set %q: want path=value", assignment)
	}
	path := strings.Split(assignment[:eq], ".")
	var value interface{} = assignment[eq+1:]
	if n, err := strconv.ParseInt(assignment[eq+1:], 10, 64); err == nil {
		value = n
	}
	node := values
	for _, key := range path[:len(path)-1] {
		child, ok := node[key].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			node[key] = child
		}
		node = child
	}
	node[path[len(path)-1]] = value
	return nil
}

func chartName(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "name:") {
			return strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "name:")), `"'`), nil
		}
	}
	return "", fmt.Errorf("%s: no name", file)
}
