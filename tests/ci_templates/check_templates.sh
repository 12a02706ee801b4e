#!/usr/bin/env bash
# CTest test `ci_templates`: the CI templates in ci/ (github-actions.yml, gitlab-ci.yml) are YAML that parses
# (duplicate keys rejected: PyYAML would silently keep the last one), run the project's own scripts
# (bash ci/bootstrap.sh, bash ci/build.sh build), run `build/bin/mohq run --out mohq-report`, publish
# mohq-report/junit.xml to the CI's test report and keep mohq-report/ (with report.html) as an artifact, also
# when `mohq run` failed. No CI service is contacted. Usage: check_templates.sh [CI_DIR] (default: ../../ci).
set -euo pipefail
ci_dir=${1:-"$(cd "$(dirname "$0")/../../ci" && pwd)"}

# The PATH's python3 may be a private one without PyYAML; Debian's has it once ci/bootstrap.sh ran.
python=
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "check_templates: no python3 with the yaml module (bash ci/bootstrap.sh installs python3-yaml)" >&2
  exit 1
fi

exec "$python" - "$ci_dir" <<'PY'
import sys
import yaml

ci_dir = sys.argv[1]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


class StrictLoader(yaml.SafeLoader):
    pass


def no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)


def load(name):
    path = f"{ci_dir}/{name}"
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.load(f, Loader=StrictLoader)
    except (OSError, yaml.YAMLError) as error:
        failures.append(f"{name}: {error}")
        return None
    check(isinstance(document, dict), f"{name}: not a mapping at the top")
    return document if isinstance(document, dict) else None


def scripts_of(lines):
    if lines is None:
        return ""
    if isinstance(lines, str):
        return lines
    return "\n".join(str(line) for line in lines)


def runs_mohq(text):
    return "build/bin/mohq run" in text and "--out mohq-report" in text


# --- GitHub Actions ---------------------------------------------------------------------------------------
gh = load("github-actions.yml")
if gh is not None:
    name = "github-actions.yml"
    # YAML 1.1 reads the bare key `on` as true; GitHub reads it as "on".
    check("on" in gh or True in gh, f"{name}: no trigger (on:)")
    jobs = gh.get("jobs") or {}
    check(isinstance(jobs, dict) and jobs, f"{name}: no jobs")
    mohq_jobs = 0
    for job_name, job in (jobs.items() if isinstance(jobs, dict) else []):
        steps = job.get("steps") or []
        runs = "\n".join(scripts_of(step.get("run")) for step in steps)
        if not runs_mohq(runs):
            continue
        mohq_jobs += 1
        where = f"{name}: job {job_name}"
        container = job.get("container")
        image = container.get("image") if isinstance(container, dict) else container
        check(image == "debian:12", f"{where}: container image is {image!r}, not debian:12")
        check("bash ci/bootstrap.sh" in runs, f"{where}: does not install with bash ci/bootstrap.sh")
        check("bash ci/build.sh build" in runs, f"{where}: does not build with bash ci/build.sh build")
        order = [scripts_of(step.get("run")) for step in steps]
        run_index = next(i for i, text in enumerate(order) if runs_mohq(text))
        junit = [s for s in steps if str(s.get("uses", "")).startswith(("mikepenz/action-junit-report@",
                                                                         "dorny/test-reporter@"))]
        if check(junit, f"{where}: no JUnit reporter step (mikepenz/action-junit-report or dorny/test-reporter)"):
            step = junit[0]
            inputs = step.get("with") or {}
            paths = str(inputs.get("report_paths", inputs.get("path", "")))
            check("mohq-report/junit.xml" in paths, f"{where}: the JUnit reporter does not read mohq-report/junit.xml")
            check(steps.index(step) > run_index, f"{where}: the JUnit reporter runs before mohq run")
            check("always()" in str(step.get("if", "")) or "!cancelled()" in str(step.get("if", "")),
                  f"{where}: the JUnit reporter is skipped when mohq run fails (if: !cancelled())")
        upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
        if check(upload, f"{where}: no actions/upload-artifact step for mohq-report/"):
            step = upload[0]
            check("mohq-report" in str((step.get("with") or {}).get("path", "")),
                  f"{where}: upload-artifact does not upload mohq-report/")
            check("always()" in str(step.get("if", "")) or "!cancelled()" in str(step.get("if", "")),
                  f"{where}: the artifact upload is skipped when mohq run fails")
    check(mohq_jobs > 0, f"{name}: no job runs build/bin/mohq run --out mohq-report")
    permissions = gh.get("permissions") or {}
    check(isinstance(permissions, dict) and permissions.get("checks") == "write",
          f"{name}: permissions.checks is not write (the JUnit reporter creates a check run)")

# --- GitLab CI --------------------------------------------------------------------------------------------
gl = load("gitlab-ci.yml")
if gl is not None:
    name = "gitlab-ci.yml"
    reserved = {"stages", "variables", "default", "include", "workflow", "image", "services", "cache",
                "before_script", "after_script"}

    def resolved(job_name, depth=0):
        """The job with its `extends` merged in (GitLab's deep merge of mappings, the job's own keys win)."""
        job = dict(gl.get(job_name) or {})
        parents = job.pop("extends", [])
        parents = [parents] if isinstance(parents, str) else parents
        merged = {}
        for parent in parents:
            check(parent in gl, f"{name}: {job_name} extends unknown {parent}")
            if parent in gl and depth < 10:
                merged = deep_merge(merged, resolved(parent, depth + 1))
        return deep_merge(merged, job)

    def deep_merge(base, over):
        out = dict(base)
        for key, value in over.items():
            out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        return out

    jobs = [k for k in gl if isinstance(k, str) and k not in reserved and not k.startswith(".")]
    check(jobs, f"{name}: no jobs")
    stages = gl.get("stages", ["build", "test", "deploy"])
    mohq_jobs = 0
    for job_name in jobs:
        job = resolved(job_name)
        where = f"{name}: job {job_name}"
        check(job.get("stage", "test") in stages, f"{where}: stage {job.get('stage')!r} is not in stages")
        script = scripts_of(job.get("before_script")) + "\n" + scripts_of(job.get("script"))
        if not runs_mohq(script):
            continue
        mohq_jobs += 1
        image = job.get("image", gl.get("image"))
        image = image.get("name") if isinstance(image, dict) else image
        check(image == "debian:12", f"{where}: image is {image!r}, not debian:12")
        check("bash ci/bootstrap.sh" in script, f"{where}: does not install with bash ci/bootstrap.sh")
        check("bash ci/build.sh build" in script, f"{where}: does not build with bash ci/build.sh build")
        artifacts = job.get("artifacts") or {}
        check(artifacts.get("when") == "always", f"{where}: artifacts.when is not always (lost when mohq run fails)")
        check((artifacts.get("reports") or {}).get("junit") == "mohq-report/junit.xml",
              f"{where}: artifacts.reports.junit is not mohq-report/junit.xml")
        paths = artifacts.get("paths") or []
        check(any(str(p).startswith("mohq-report") for p in paths), f"{where}: artifacts.paths lacks mohq-report/")
        if check(artifacts.get("expose_as"), f"{where}: no artifacts.expose_as for report.html"):
            # GitLab exposes only literal paths; a directory must end in "/".
            for p in paths:
                p = str(p)
                check("$" not in p and "*" not in p and not p.startswith("./"),
                      f"{where}: exposed path {p!r} is not literal")
                check(p.endswith("/") or "." in p.rsplit("/", 1)[-1],
                      f"{where}: exposed directory {p!r} does not end in /")
    check(mohq_jobs > 0, f"{name}: no job runs build/bin/mohq run --out mohq-report")

for failure in failures:
    print("FAIL", failure)
print(f"check_templates: {'ok' if not failures else str(len(failures)) + ' problem(s)'} ({ci_dir})")
sys.exit(1 if failures else 0)
PY
