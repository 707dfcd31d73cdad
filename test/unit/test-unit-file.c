/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit file loading: search path precedence, drop-ins, masks, aliases, templates, syntax. Every test
 * builds its own fixture tree (a fake root) under a temporary directory. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "test-util.h"
#include "unit-file.h"

#define ETC "/etc/systemd/system"
#define RUN "/run/systemd/system"
#define USR "/usr/lib/systemd/system"
#define LIB "/lib/systemd/system"

static char *make_root(void) {
        char t[] = "/tmp/test-unit-file.XXXXXX";
        char *r;

        assert_non_null(mkdtemp(t));
        r = strdup(t);
        assert_non_null(r);
        return r;
}

static void rm_root(char *root) {
        if (root)
                rm_rf(root);
        free(root);
}

static char *fx_path(const char *root, const char *rel) {
        char *p;

        assert_true(asprintf(&p, "%s%s", root, rel) >= 0);
        return p;
}

static void fx_write(const char *root, const char *rel, const char *content) {
        _cleanup_(freep) char *p = fx_path(root, rel);

        write_text(p, content);
}

static void fx_link(const char *root, const char *rel, const char *target) {
        _cleanup_(freep) char *p = fx_path(root, rel);

        mkdir_parents(p);
        assert_int_equal(symlink(target, p), 0);
}

static char **fx_search_path(const char *root) {
        char **sp = NULL;

        assert_int_equal(unit_search_path(root, NULL, &sp), 0);
        return sp;
}

static UnitConfig *fx_load(const char *root, const char *name) {
        _cleanup_(strv_freep) char **sp = fx_search_path(root);
        UnitConfig *c = NULL;

        assert_int_equal(unit_config_load(sp, name, NULL, &c), 0);
        assert_non_null(c);
        return c;
}

/* Asserts that the effective values of a list setting are exactly the given ones. */
static void assert_all(const UnitConfig *c, const char *section, const char *key, size_t n, ...) {
        _cleanup_(freep) const UnitSetting **l = NULL;
        va_list ap;
        int k;

        k = unit_config_get_all(c, section, key, &l);
        assert_int_equal(k, (int) n);
        va_start(ap, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(l[i]->value, va_arg(ap, const char *));
        va_end(ap);
}

static void assert_rel(const char *root, const char *path, const char *rel) {
        _cleanup_(freep) char *p = fx_path(root, rel);
        assert_non_null(path);
        assert_string_equal(path, p);
}

/* --- tests --------------------------------------------------------------------------------- */

static void test_search_path(void **state) {
        _cleanup_(strv_freep) char **a = NULL, **b = NULL, **c = NULL, **d = NULL;
        size_t n = 0;

        assert_int_equal(unit_search_path(NULL, NULL, &a), 0);
        assert_string_equal(a[0], "/etc/systemd/system.control");
        for (; a[n]; n++)
                ;
        assert_int_equal(n, 13);
        assert_string_equal(a[4], ETC);
        assert_string_equal(a[12], "/run/systemd/generator.late");

        /* skip_dir, unprefixed */
        assert_int_equal(unit_search_path(NULL, "/run/systemd/generator/", &b), 0);
        for (n = 0; b[n]; n++)
                assert_string_not_equal(b[n], "/run/systemd/generator");
        assert_int_equal(n, 12);

        /* root prefix, skip_dir given either way */
        assert_int_equal(unit_search_path("/srv/root/", "/run/systemd/generator", &c), 0);
        assert_string_equal(c[4], "/srv/root" ETC);
        for (n = 0; c[n]; n++)
                assert_string_not_equal(c[n], "/srv/root/run/systemd/generator");
        assert_int_equal(n, 12);
        assert_int_equal(unit_search_path("/", "/x/y", &d), 0);
        assert_string_equal(d[4], ETC);
}

static void test_fragment_precedence(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, USR "/foo.service", "[Service]\nExecStart=/usr/bin/usr\n");
        fx_write(root, LIB "/foo.service", "[Service]\nExecStart=/usr/bin/lib\n");
        fx_write(root, RUN "/foo.service", "[Service]\nExecStart=/usr/bin/run\n");
        c = fx_load(root, "foo.service");
        assert_string_equal(c->name, "foo.service");
        assert_rel(root, c->fragment_path, RUN "/foo.service");
        assert_false(c->masked);
        assert_string_equal(unit_config_get(c, "Service", "ExecStart"), "/usr/bin/run");
        unit_config_free(c);

        fx_write(root, ETC "/foo.service", "[Service]\nExecStart=/usr/bin/etc\n");
        c = fx_load(root, "foo.service");
        assert_rel(root, c->fragment_path, ETC "/foo.service");
        assert_int_equal(c->n_settings, 1);
        assert_string_equal(c->settings[0].value, "/usr/bin/etc");
        assert_int_equal(c->settings[0].line, 2);
        assert_rel(root, c->settings[0].file, ETC "/foo.service");
        unit_config_free(c);

        /* only in /lib */
        fx_write(root, LIB "/bar.service", "[Service]\nExecStart=/bin/true\n");
        c = fx_load(root, "bar.service");
        assert_rel(root, c->fragment_path, LIB "/bar.service");
        unit_config_free(c);

        rm_root(root);
}

static void test_dropins(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, USR "/foo.service", "[Service]\nExecStart=/bin/a\nUser=a\n");
        fx_write(root, USR "/foo.service.d/10-x.conf", "[Service]\nUser=usr10\n");
        fx_write(root, ETC "/foo.service.d/10-x.conf", "[Service]\nUser=etc10\n");   /* masks the /usr one */
        fx_write(root, RUN "/foo.service.d/05-y.conf", "[Service]\nGroup=run05\n");
        fx_write(root, USR "/service.d/20-all.conf", "[Service]\nNice=5\n");          /* type drop-in */
        fx_write(root, USR "/foo.service.d/30-z.conf", "[Service]\nNice=7\n");
        fx_write(root, ETC "/foo.service.d/40-masked.conf", "[Service]\nNice=9\n");
        fx_link(root, RUN "/foo.service.d/40-masked.conf", "/dev/null");         /* /etc wins: not masked */
        fx_write(root, USR "/foo.service.d/50-gone.conf", "[Service]\nNice=11\n");
        fx_link(root, ETC "/foo.service.d/50-gone.conf", "/dev/null");           /* masks the /usr one */
        fx_write(root, ETC "/foo.service.d/60-empty.conf", "");
        fx_write(root, ETC "/foo.service.d/70-notconf.txt", "[Service]\nNice=13\n");
        fx_write(root, USR "/service.d/30-z.conf", "[Service]\nNice=99\n");           /* masked by foo.service.d */

        c = fx_load(root, "foo.service");
        assert_non_null(c->dropin_paths);
        assert_rel(root, c->dropin_paths[0], RUN "/foo.service.d/05-y.conf");
        assert_rel(root, c->dropin_paths[1], ETC "/foo.service.d/10-x.conf");
        assert_rel(root, c->dropin_paths[2], USR "/service.d/20-all.conf");
        assert_rel(root, c->dropin_paths[3], USR "/foo.service.d/30-z.conf");
        assert_rel(root, c->dropin_paths[4], ETC "/foo.service.d/40-masked.conf");
        assert_null(c->dropin_paths[5]);
        assert_string_equal(unit_config_get(c, "Service", "User"), "etc10");
        assert_string_equal(unit_config_get(c, "Service", "Group"), "run05");
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "9");
        assert_all(c, "Service", "Nice", 3, "5", "7", "9");
        unit_config_free(c);

        /* A type drop-in applies to units without drop-ins of their own, but not to other types. */
        fx_write(root, USR "/other.service", "[Service]\nExecStart=/bin/b\n");
        fx_write(root, USR "/other.socket", "[Socket]\nListenStream=/run/x\n");
        c = fx_load(root, "other.service");
        assert_rel(root, c->dropin_paths[0], USR "/service.d/20-all.conf");
        assert_rel(root, c->dropin_paths[1], USR "/service.d/30-z.conf");
        assert_null(c->dropin_paths[2]);
        unit_config_free(c);
        c = fx_load(root, "other.socket");
        assert_null(c->dropin_paths);
        unit_config_free(c);

        rm_root(root);
}

static void test_prefix_dropins(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, USR "/foo-bar-baz.service", "[Service]\nExecStart=/bin/a\n");
        fx_write(root, USR "/foo-.service.d/10-a.conf", "[Service]\nNice=1\n");
        fx_write(root, USR "/foo-bar-.service.d/10-a.conf", "[Service]\nNice=2\n"); /* more specific: wins */
        fx_write(root, USR "/foo-.service.d/20-b.conf", "[Service]\nUser=u\n");
        fx_write(root, USR "/fo-.service.d/30-c.conf", "[Service]\nGroup=g\n");     /* not a prefix */

        c = fx_load(root, "foo-bar-baz.service");
        assert_rel(root, c->dropin_paths[0], USR "/foo-bar-.service.d/10-a.conf");
        assert_rel(root, c->dropin_paths[1], USR "/foo-.service.d/20-b.conf");
        assert_null(c->dropin_paths[2]);
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "2");
        assert_null(unit_config_get(c, "Service", "Group"));
        unit_config_free(c);

        rm_root(root);
}

static void test_templates(void **state) {
        _cleanup_(strv_freep) char **sp = NULL;
        char *root = make_root();
        UnitConfig *c = NULL;

        fx_write(root, USR "/app@.service", "[Service]\nExecStart=/bin/app %i\nUser=t\n");
        fx_write(root, USR "/app@.service.d/10-t.conf", "[Service]\nNice=1\n");
        fx_write(root, ETC "/app@blue.service.d/10-t.conf", "[Service]\nNice=2\n");  /* instance wins */
        fx_write(root, ETC "/app@blue.service.d/20-i.conf", "[Service]\nUser=blue\n");
        fx_link(root, ETC "/multi-user.target.wants/app@blue.service", USR "/app@.service");

        /* instance falls back to the template's fragment */
        c = fx_load(root, "app@blue.service");
        assert_string_equal(c->name, "app@blue.service");
        assert_rel(root, c->fragment_path, USR "/app@.service");
        assert_rel(root, c->dropin_paths[0], ETC "/app@blue.service.d/10-t.conf");
        assert_rel(root, c->dropin_paths[1], ETC "/app@blue.service.d/20-i.conf");
        assert_null(c->dropin_paths[2]);
        assert_string_equal(unit_config_get(c, "Service", "User"), "blue");
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "2");
        unit_config_free(c);

        c = fx_load(root, "app@red.service");
        assert_rel(root, c->dropin_paths[0], USR "/app@.service.d/10-t.conf");
        assert_null(c->dropin_paths[1]);
        assert_string_equal(unit_config_get(c, "Service", "User"), "t");
        unit_config_free(c);

        /* the template itself */
        c = fx_load(root, "app@.service");
        assert_string_equal(c->name, "app@.service");
        assert_rel(root, c->dropin_paths[0], USR "/app@.service.d/10-t.conf");
        unit_config_free(c);

        /* an instance file of its own wins over the template */
        fx_write(root, RUN "/app@green.service", "[Service]\nExecStart=/bin/green\n");
        c = fx_load(root, "app@green.service");
        assert_rel(root, c->fragment_path, RUN "/app@green.service");
        unit_config_free(c);

        /* an instance linked to its template keeps its name */
        fx_link(root, ETC "/app@pink.service", USR "/app@.service");
        c = fx_load(root, "app@pink.service");
        assert_string_equal(c->name, "app@pink.service");
        assert_rel(root, c->fragment_path, USR "/app@.service");
        unit_config_free(c);

        /* no template, nothing */
        sp = fx_search_path(root);
        c = NULL;
        assert_int_equal(unit_config_load(sp, "none@x.service", NULL, &c), -ENOENT);
        assert_null(c);
        assert_int_equal(unit_config_load(sp, "bad name.service", NULL, &c), -EINVAL);
        assert_int_equal(unit_config_load(sp, "foo.nosuchtype", NULL, &c), -EINVAL);

        rm_root(root);
}

static void test_masked(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, USR "/m1.service", "[Service]\nExecStart=/bin/a\n");
        fx_write(root, USR "/m1.service.d/10.conf", "[Service]\nNice=1\n");
        fx_link(root, ETC "/m1.service", "/dev/null");
        c = fx_load(root, "m1.service");
        assert_true(c->masked);
        assert_null(c->fragment_path);
        assert_int_equal(c->n_settings, 0);
        unit_config_free(c);

        fx_write(root, ETC "/m2.service", "");
        fx_write(root, USR "/m2.service", "[Service]\nExecStart=/bin/a\n");
        c = fx_load(root, "m2.service");
        assert_true(c->masked);
        unit_config_free(c);

        /* a masked template masks its instances */
        fx_write(root, USR "/t@.service", "[Service]\nExecStart=/bin/a\n");
        fx_link(root, RUN "/t@.service", "/dev/null");
        c = fx_load(root, "t@x.service");
        assert_true(c->masked);
        assert_string_equal(c->name, "t@x.service");
        unit_config_free(c);

        /* an alias of a masked unit is masked */
        fx_link(root, ETC "/m3.service", "m1.service");
        c = fx_load(root, "m3.service");
        assert_true(c->masked);
        assert_string_equal(c->name, "m1.service");
        unit_config_free(c);

        rm_root(root);
}

static void test_aliases(void **state) {
        _cleanup_(strv_freep) char **sp = NULL;
        char *root = make_root();
        UnitConfig *c = NULL;

        fx_write(root, USR "/real.service", "[Service]\nExecStart=/bin/real\n");
        fx_link(root, USR "/alias1.service", "real.service");                  /* relative */
        fx_link(root, ETC "/alias2.service", USR "/real.service");             /* absolute, under root */
        fx_write(root, ETC "/alias1.service.d/10-a.conf", "[Service]\nNice=1\n");
        fx_write(root, ETC "/real.service.d/20-r.conf", "[Service]\nNice=2\n");
        fx_write(root, ETC "/alias2.service.d/30-b.conf", "[Service]\nUser=b\n");

        c = fx_load(root, "alias2.service");
        assert_string_equal(c->name, "real.service");
        assert_rel(root, c->fragment_path, USR "/real.service");
        assert_rel(root, c->dropin_paths[0], ETC "/alias1.service.d/10-a.conf");
        assert_rel(root, c->dropin_paths[1], ETC "/real.service.d/20-r.conf");
        assert_rel(root, c->dropin_paths[2], ETC "/alias2.service.d/30-b.conf");
        assert_null(c->dropin_paths[3]);
        unit_config_free(c);

        c = fx_load(root, "real.service");
        assert_string_equal(c->name, "real.service");
        assert_string_equal(unit_config_get(c, "Service", "User"), "b");
        unit_config_free(c);

        /* an alias resolves by name: a higher-precedence file for the target wins */
        fx_write(root, RUN "/real.service", "[Service]\nExecStart=/bin/override\n");
        c = fx_load(root, "alias2.service");
        assert_rel(root, c->fragment_path, RUN "/real.service");
        assert_string_equal(unit_config_get(c, "Service", "ExecStart"), "/bin/override");
        unit_config_free(c);

        /* a linked unit file outside the search path */
        fx_write(root, "/opt/ext/ext.service", "[Service]\nExecStart=/bin/ext\n");
        fx_link(root, ETC "/ext.service", "/opt/ext/ext.service");
        c = fx_load(root, "ext.service");
        assert_string_equal(c->name, "ext.service");
        assert_rel(root, c->fragment_path, "/opt/ext/ext.service");
        unit_config_free(c);

        /* an alias to a file outside the search path */
        fx_write(root, "/opt/ext/outside.service", "[Service]\nExecStart=/bin/outside\n");
        fx_link(root, ETC "/inside.service", "/opt/ext/outside.service");
        c = fx_load(root, "inside.service");
        assert_string_equal(c->name, "outside.service");
        assert_rel(root, c->fragment_path, "/opt/ext/outside.service");
        unit_config_free(c);

        /* template aliases apply to instances */
        fx_write(root, USR "/tpl@.service", "[Service]\nExecStart=/bin/tpl %i\n");
        fx_link(root, USR "/tplalias@.service", "tpl@.service");
        fx_write(root, ETC "/tplalias@.service.d/10-a.conf", "[Service]\nNice=3\n");
        c = fx_load(root, "tplalias@one.service");
        assert_string_equal(c->name, "tpl@one.service");
        assert_rel(root, c->fragment_path, USR "/tpl@.service");
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "3");
        unit_config_free(c);

        /* alias loops end */
        fx_link(root, ETC "/loop1.service", "loop2.service");
        fx_link(root, ETC "/loop2.service", "loop1.service");
        sp = fx_search_path(root);
        c = NULL;
        assert_int_equal(unit_config_load(sp, "loop1.service", NULL, &c), -ELOOP);
        assert_null(c);

        /* a dangling alias is ignored */
        fx_link(root, ETC "/dangling.service", "/nowhere/none.service");
        assert_int_equal(unit_config_load(sp, "dangling.service", NULL, &c), -ENOENT);

        rm_root(root);
}

static void test_only_dropins(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, ETC "/ghost.service.d/10.conf", "[Service]\nNice=1\n");
        c = fx_load(root, "ghost.service");
        assert_null(c->fragment_path);
        assert_false(c->masked);
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "1");
        unit_config_free(c);

        rm_root(root);
}

static void test_syntax(void **state) {
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, ETC "/syn.service",
                 "\xef\xbb\xbf# comment\n"
                 "; another comment\n"
                 "Outside=ignored\n"
                 "[Unit]\n"
                 "Description = spaced  value  \n"
                 "   # indented comment\n"
                 "NoEqualsSign\n"
                 "[Service]\n"
                 "ExecStart=/bin/a \\\n"
                 "  arg1 \\\n"
                 "# a comment inside a continuation is skipped\n"
                 "; this one too\n"
                 "  arg2\n"
                 "Environment=\"A=1\" 'B=2'\r\n"
                 "ExecStartPre=/bin/escaped\\\\\n"
                 "User=u\r"
                 "[X-Custom]\n"
                 "X-Key=v\n"
                 "[Service]\n"
                 "Nice=3\\\n");

        c = fx_load(root, "syn.service");
        assert_null(unit_config_get(c, "Unit", "Outside"));
        assert_string_equal(unit_config_get(c, "Unit", "Description"), "spaced  value");
        assert_null(unit_config_get(c, "Unit", "NoEqualsSign"));
        assert_string_equal(unit_config_get(c, "Service", "ExecStart"), "/bin/a    arg1    arg2");
        assert_string_equal(unit_config_get(c, "Service", "Environment"), "\"A=1\" 'B=2'");
        assert_string_equal(unit_config_get(c, "Service", "ExecStartPre"), "/bin/escaped\\\\");
        assert_string_equal(unit_config_get(c, "Service", "User"), "u");
        assert_string_equal(unit_config_get(c, "X-Custom", "X-Key"), "v");
        assert_string_equal(unit_config_get(c, "Service", "Nice"), "3");
        assert_null(unit_config_get(c, "Service", "X-Key"));
        /* line numbers: the first line of a setting */
        for (size_t i = 0; i < c->n_settings; i++)
                if (streq(c->settings[i].key, "ExecStart"))
                        assert_int_equal(c->settings[i].line, 9);
                else if (streq(c->settings[i].key, "User"))
                        assert_int_equal(c->settings[i].line, 16);
        unit_config_free(c);

        rm_root(root);
}

static void test_bad_section(void **state) {
        _cleanup_(strv_freep) char **sp = NULL;
        char *root = make_root();
        UnitConfig *c = NULL;

        fx_write(root, ETC "/bad.service", "[Service\nExecStart=/bin/a\n");
        sp = fx_search_path(root);
        assert_int_equal(unit_config_load(sp, "bad.service", NULL, &c), -EBADMSG);
        assert_null(c);

        rm_root(root);
}

static void test_resets(void **state) {
        _cleanup_(freep) const UnitSetting **l = NULL;
        char *root = make_root();
        UnitConfig *c;

        fx_write(root, USR "/r.service",
                 "[Service]\n"
                 "Type=oneshot\n"
                 "ExecStart=/bin/one\n"
                 "ExecStart=/bin/two\n"
                 "RestrictAddressFamilies=AF_INET\n"
                 "User=a\n");
        fx_write(root, ETC "/r.service.d/10.conf",
                 "[Service]\n"
                 "ExecStart=\n"
                 "ExecStart=/bin/three\n"
                 "ExecStart=/bin/four\n"
                 "RestrictAddressFamilies=AF_INET6\n"
                 "User=\n");
        fx_write(root, ETC "/r.service.d/20.conf",
                 "[Service]\n"
                 "AmbientCapabilities=CAP_BPF\n"
                 "AmbientCapabilities=\n");

        c = fx_load(root, "r.service");
        assert_all(c, "Service", "ExecStart", 2, "/bin/three", "/bin/four");
        assert_all(c, "Service", "RestrictAddressFamilies", 2, "AF_INET", "AF_INET6");
        assert_all(c, "Service", "AmbientCapabilities", 0);
        assert_all(c, "Service", "Nothing", 0);
        assert_all(c, "Unit", "ExecStart", 0);
        assert_null(unit_config_get(c, "Service", "User"));
        assert_null(unit_config_get(c, "Service", "AmbientCapabilities"));
        assert_string_equal(unit_config_get(c, "Service", "Type"), "oneshot");
        assert_int_equal(unit_config_get_all(c, "Service", "ExecStart", NULL), -EINVAL);
        assert_int_equal(unit_config_get_all(NULL, "Service", "ExecStart", &l), -EINVAL);
        assert_null(unit_config_get(NULL, "Service", "User"));
        unit_config_free(c);

        rm_root(root);
}

static void test_enumerate(void **state) {
        _cleanup_(strv_freep) char **sp = NULL, **names = NULL;
        char *root = make_root();
        size_t n;

        fx_write(root, USR "/b.service", "[Service]\nExecStart=/bin/b\n");
        fx_write(root, ETC "/b.service", "[Service]\nExecStart=/bin/b\n");
        fx_write(root, USR "/a@.service", "[Service]\nExecStart=/bin/a\n");
        fx_write(root, USR "/a.socket", "[Socket]\n");
        fx_link(root, ETC "/c.service", "/dev/null");
        fx_link(root, ETC "/alias.service", "b.service");
        fx_write(root, ETC "/b.service.d/10.conf", "[Service]\n");
        fx_link(root, ETC "/multi-user.target.wants/a@x.service", USR "/a@.service");
        fx_write(root, ETC "/README", "not a unit\n");
        fx_write(root, ETC "/x.conf", "not a unit\n");

        sp = fx_search_path(root);
        assert_int_equal(unit_enumerate(sp, &names), 0);
        for (n = 0; names[n]; n++)
                ;
        assert_int_equal(n, 5);
        assert_string_equal(names[0], "a.socket");
        assert_string_equal(names[1], "a@.service");
        assert_string_equal(names[2], "alias.service");
        assert_string_equal(names[3], "b.service");
        assert_string_equal(names[4], "c.service");

        rm_root(root);
}

static void test_enumerate_empty(void **state) {
        _cleanup_(strv_freep) char **sp = NULL, **names = NULL;
        char *root = make_root();

        sp = fx_search_path(root);
        assert_int_equal(unit_enumerate(sp, &names), 0);
        assert_non_null(names);
        assert_null(names[0]);

        rm_root(root);
}

static void test_load_file(void **state) {
        char *root = make_root();
        _cleanup_(freep) char *p = fx_path(root, "/some/dir/my.service");
        _cleanup_(freep) char *m = fx_path(root, "/some/dir/masked.service");
        UnitConfig *c = NULL;

        fx_write(root, "/some/dir/my.service", "[Service]\nExecStart=/bin/a\nPrivateBPF=yes\n");
        fx_write(root, "/some/dir/my.service.d/10.conf", "[Service]\nPrivateBPF=no\n");
        fx_write(root, "/some/dir/service.d/10.conf", "[Service]\nUser=not-applied\n");
        assert_int_equal(unit_config_load_file(p, NULL, &c), 0);
        assert_string_equal(c->name, "my.service");
        assert_string_equal(c->fragment_path, p);
        assert_rel(root, c->dropin_paths[0], "/some/dir/my.service.d/10.conf");
        assert_null(c->dropin_paths[1]);
        assert_string_equal(unit_config_get(c, "Service", "PrivateBPF"), "no");
        assert_null(unit_config_get(c, "Service", "User"));
        unit_config_free(c);

        fx_link(root, "/some/dir/masked.service", "/dev/null");
        assert_int_equal(unit_config_load_file(m, NULL, &c), 0);
        assert_true(c->masked);
        unit_config_free(c);

        c = NULL;
        assert_int_equal(unit_config_load_file("/nonexistent/x.service", NULL, &c), -ENOENT);
        assert_null(c);

        rm_root(root);
}

static void test_parse_boolean(void **state) {
        static const char *const t[] = { "1", "yes", "YES", "y", "true", "t", "on", "On" };
        static const char *const f[] = { "0", "no", "n", "false", "f", "off", "OFF" };
        static const char *const bad[] = { "", "2", "yess", " yes", "nope", "-1" };

        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                assert_int_equal(parse_boolean(t[i]), 1);
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                assert_int_equal(parse_boolean(f[i]), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_boolean(bad[i]), -EINVAL);
        assert_int_equal(parse_boolean(NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_search_path),
                cmocka_unit_test(test_fragment_precedence),
                cmocka_unit_test(test_dropins),
                cmocka_unit_test(test_prefix_dropins),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_masked),
                cmocka_unit_test(test_aliases),
                cmocka_unit_test(test_only_dropins),
                cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_bad_section),
                cmocka_unit_test(test_resets),
                cmocka_unit_test(test_enumerate),
                cmocka_unit_test(test_enumerate_empty),
                cmocka_unit_test(test_load_file),
                cmocka_unit_test(test_parse_boolean),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
