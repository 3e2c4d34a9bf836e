/* harness.c: see harness.h. CENTRAL_BIN and GEN_CERTS are compile-time paths from CMake. */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 90000 /* --seed large takes a while before it listens */
#define ARGS_MAX         32

void harness_path(const TestCentral *tc, const char *name, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", tc->dir, name);
    if (n < 0 || (size_t)n >= size)
        abort(); /* a test's own paths are short; a cut one would point elsewhere */
}

/* The port central logged ("listening on https://127.0.0.1:PORT"), 0 if it never did. */
static unsigned logged_port(TestCentral *tc)
{
    static const char marker[] = "listening on https://127.0.0.1:";
    char path[HARNESS_PATH_MAX + 16], line[512];
    harness_path(tc, "central.log", path, sizeof path);
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
        FILE *f = fopen(path, "r");
        unsigned port = 0;
        while (f && fgets(line, sizeof line, f)) {
            const char *m = strstr(line, marker);
            if (m)
                port = (unsigned)strtoul(m + sizeof marker - 1, NULL, 10);
        }
        if (f)
            fclose(f);
        if (port)
            return port;
        if (waitpid(tc->pid, NULL, WNOHANG) == tc->pid) {
            tc->pid = 0; /* it exited before listening */
            return 0;
        }
        usleep(20 * 1000);
    }
    return 0;
}

static void print_log(const TestCentral *tc)
{
    char path[HARNESS_PATH_MAX + 16], line[512];
    harness_path(tc, "central.log", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "--- central.log ---\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static pid_t spawn(TestCentral *tc, const char *const *extra)
{
    char db[HARNESS_PATH_MAX + 16], cert[HARNESS_PATH_MAX + 16], key[HARNESS_PATH_MAX + 16],
        listen[32], log[HARNESS_PATH_MAX + 16];
    const char *argv[ARGS_MAX];
    int n = 0;
    harness_path(tc, "central.db", db, sizeof db);
    harness_path(tc, "server.pem", cert, sizeof cert);
    harness_path(tc, "server-key.pem", key, sizeof key);
    harness_path(tc, "central.log", log, sizeof log);
    snprintf(listen, sizeof listen, "127.0.0.1:%u", tc->port);
    argv[n++] = CENTRAL_BIN;
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--listen";
    argv[n++] = listen;
    argv[n++] = "--tls-cert";
    argv[n++] = cert;
    argv[n++] = "--tls-key";
    argv[n++] = key;
    argv[n++] = "--seed";
    argv[n++] = tc->seed[0] ? tc->seed : "demo";
    char expanded[ARGS_MAX][HARNESS_PATH_MAX + 64];
    for (int i = 0; extra && extra[i] && n < ARGS_MAX - 1; i++) {
        if (strncmp(extra[i], "@/", 2) == 0) {
            harness_path(tc, extra[i] + 2, expanded[i], sizeof expanded[i]);
            argv[n++] = expanded[i];
        } else {
            argv[n++] = extra[i];
        }
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "a", stderr);
        (void)f;
        execv(CENTRAL_BIN, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Waits until the spawned central answers HTTPS; 0, or -1 if it exited or never answered. */
static int wait_ready(TestCentral *tc)
{
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += 50) {
        Resp r;
        int status = 0;
        if (waitpid(tc->pid, &status, WNOHANG) == tc->pid) {
            tc->pid = 0;
            return -1; /* it exited: port taken, or a real failure */
        }
        if (harness_get(tc, "/v1/stores", &r) == 0 && r.status == 200) {
            resp_free(&r);
            return 0;
        }
        resp_free(&r);
        usleep(50 * 1000);
    }
    kill(tc->pid, SIGKILL);
    waitpid(tc->pid, NULL, 0);
    tc->pid = 0;
    return -1;
}

static void terminate(TestCentral *tc)
{
    int status = 0;
    if (tc->pid <= 0)
        return;
    kill(tc->pid, SIGTERM);
    for (int i = 0; i < 100 && waitpid(tc->pid, &status, WNOHANG) == 0; i++)
        usleep(50 * 1000);
    if (waitpid(tc->pid, &status, WNOHANG) == 0) {
        kill(tc->pid, SIGKILL);
        waitpid(tc->pid, &status, 0);
    }
    tc->pid = 0;
}

int harness_restart(TestCentral *tc, const char *const *extra_args)
{
    terminate(tc);
    for (int attempt = 0; attempt < 20; attempt++) {
        tc->pid = spawn(tc, extra_args);
        if (tc->pid < 0)
            return -1;
        if (wait_ready(tc) == 0)
            return 0;
        usleep(200 * 1000); /* the old socket may still be closing */
    }
    print_log(tc);
    return -1;
}

int harness_start(TestCentral *tc, const char *const *extra_args)
{
    return harness_start_seed(tc, "demo", extra_args);
}

int harness_start_seed(TestCentral *tc, const char *seed, const char *const *extra_args)
{
    char cmd[HARNESS_PATH_MAX * 2];
    memset(tc, 0, sizeof *tc);
    snprintf(tc->seed, sizeof tc->seed, "%s", seed);
    snprintf(tc->dir, sizeof tc->dir, "%s/central-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tc->dir))
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' '%s'", GEN_CERTS, tc->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "harness: %s failed\n", GEN_CERTS);
        return -1;
    }
    harness_path(tc, "ca.pem", tc->ca, sizeof tc->ca);
    harness_path(tc, "client.pem", tc->client_cert, sizeof tc->client_cert);
    harness_path(tc, "client-key.pem", tc->client_key, sizeof tc->client_key);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    /* Port 0: central binds a free port and logs it; no race with other tests. */
    tc->port = 0;
    tc->pid = spawn(tc, extra_args);
    if (tc->pid < 0)
        return -1;
    tc->port = logged_port(tc);
    snprintf(tc->base, sizeof tc->base, "https://127.0.0.1:%u", tc->port);
    if (tc->port > 0 && wait_ready(tc) == 0)
        return 0;
    print_log(tc);
    return -1;
}

int harness_start_devices(TestCentral *tc, bool mtls, const char *const *extra_args)
{
    static const char *const device_ca[] = {"--device-ca-cert", "@/device-ca.pem",
                                            "--device-ca-key",  "@/device-ca-key.pem",
                                            "--tls-ca",         "@/ca.pem"};
    const char *args[ARGS_MAX];
    int n = 0;
    for (size_t i = 0; i < sizeof device_ca / sizeof device_ca[0]; i++)
        args[n++] = device_ca[i];
    if (mtls) {
        args[n++] = "--client-ca";
        args[n++] = "@/client-cas.pem";
    }
    for (int i = 0; extra_args && extra_args[i] && n < ARGS_MAX - 1; i++)
        args[n++] = extra_args[i];
    args[n] = NULL;
    return harness_start(tc, args);
}

void harness_stop(TestCentral *tc)
{
    char cmd[HARNESS_PATH_MAX + 16];
    terminate(tc);
    if (getenv("KEEP_CENTRAL_TEST_DIR")) {
        fprintf(stderr, "harness: kept %s\n", tc->dir);
        return;
    }
    if (tc->dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tc->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "harness: could not remove %s\n", tc->dir);
    }
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    Resp *r = ctx;
    size_t len = size * n;
    char *grown = realloc(r->body, r->len + len + 1);
    if (!grown)
        return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    Resp *r = ctx;
    size_t len = size * n;
    if (len >= 26 && strncasecmp(data, "Idempotent-Replayed: true", 25) == 0)
        r->replayed = true;
    if (len > 14 && strncasecmp(data, "Content-Type: ", 14) == 0)
        snprintf(r->content_type, sizeof r->content_type, "%.*s", (int)(len - 14 - 2), data + 14);
    return len;
}

static int call(const TestCentral *tc, const char *ca_file, const char *cert, const char *key,
                const char *method, const char *path, const char *body, size_t body_len,
                const char *const *headers, Resp *out)
{
    char url[1024];
    struct curl_slist *hl = NULL;
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    snprintf(url, sizeof url, "%s%s", tc->base, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 90L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    if (cert) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY, key);
    }
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    bool typed = false, expect = false; /* the caller's headers name the type, or Expect */
    for (int i = 0; headers && headers[i]; i++) {
        typed |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
        expect |= strncasecmp(headers[i], "Expect:", 7) == 0;
    }
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body_len);
        if (!typed)
            hl = curl_slist_append(hl, "Content-Type: application/json");
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (!expect)
        hl = curl_slist_append(hl, "Expect:"); /* libcurl looks at the first Expect only */
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    out->curl_code = (int)curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (out->curl_code != CURLE_OK)
        return -1;
    if (out->body)
        out->json = json_loadb(out->body, out->len, 0, NULL);
    return 0;
}

int harness_call_ca(const TestCentral *tc, const char *ca_file, const char *method,
                    const char *path, const char *body, size_t body_len, const char *const *headers,
                    Resp *out)
{
    return call(tc, ca_file, tc->use_client_cert ? tc->client_cert : NULL, tc->client_key, method,
                path, body, body_len, headers, out);
}

int harness_call_as(const TestCentral *tc, const char *cert, const char *key, const char *method,
                    const char *path, const char *body, Resp *out)
{
    return call(tc, tc->ca, cert, key, method, path, body, body ? strlen(body) : 0, NULL, out);
}

int harness_upload_as(const TestCentral *tc, const char *cert, const char *key, const char *path,
                      const char *type, const void *body, size_t len, Resp *out)
{
    char header[128];
    snprintf(header, sizeof header, "Content-Type: %s", type);
    /* As a large upload should: the service can refuse it (413) before the body is sent,
     * rather than close the connection under a client still sending. */
    const char *const headers[] = {header, "Expect: 100-continue", NULL};
    return call(tc, tc->ca, cert, key, "PUT", path, body, len, headers, out);
}

int harness_operator(const TestCentral *tc, const char *method, const char *path, const char *body,
                     Resp *out)
{
    char cert[HARNESS_PATH_MAX + 16], key[HARNESS_PATH_MAX + 16];
    harness_path(tc, "client.pem", cert, sizeof cert);
    harness_path(tc, "client-key.pem", key, sizeof key);
    return harness_call_as(tc, cert, key, method, path, body, out);
}

int harness_call(const TestCentral *tc, const char *method, const char *path, const char *body,
                 size_t body_len, const char *const *headers, Resp *out)
{
    return harness_call_ca(tc, tc->ca, method, path, body, body_len, headers, out);
}

int harness_get(const TestCentral *tc, const char *path, Resp *out)
{
    return harness_call(tc, "GET", path, NULL, 0, NULL, out);
}

int harness_post(const TestCentral *tc, const char *path, const char *json, Resp *out)
{
    return harness_call(tc, "POST", path, json, json ? strlen(json) : 0, NULL, out);
}

void resp_free(Resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

bool resp_is_error(const Resp *r, char *code)
{
    json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
    json_t *c = e ? json_object_get(e, "code") : NULL,
           *m = e ? json_object_get(e, "message") : NULL;
    if (!json_is_string(c) || !json_is_string(m) || json_string_length(c) == 0 ||
        json_object_size(r->json) != 1)
        return false;
    if (code)
        snprintf(code, 64, "%s", json_string_value(c));
    return r->status >= 400 && r->status < 600;
}

/* --- devices --------------------------------------------------------------------------- */

#define CSR_FILE_MAX 16384

void harness_device_files(const TestCentral *tc, const char *name, char *cert, char *key,
                          size_t size)
{
    char file[128];
    snprintf(file, sizeof file, "%s.pem", name);
    harness_path(tc, file, cert, size);
    snprintf(file, sizeof file, "%s-key.pem", name);
    harness_path(tc, file, key, size);
}

int harness_make_csr(const TestCentral *tc, const char *name, bool rsa)
{
    char cmd[2 * HARNESS_PATH_MAX];
    const char *keygen = rsa ? "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
                             : "ecparam -name prime256v1 -genkey -noout";
    int n = snprintf(cmd, sizeof cmd,
                     "cd '%s' && openssl %s -out '%s-key.pem' 2>/dev/null && openssl req -new "
                     "-key '%s-key.pem' -subj '/CN=%s' -out '%s.csr' 2>/dev/null",
                     tc->dir, keygen, name, name, name, name);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

char *harness_enroll_body(const TestCentral *tc, const char *serial, const char *code,
                          const char *kind, const char *name)
{
    char path[HARNESS_PATH_MAX + 16], file[128], *csr = calloc(1, CSR_FILE_MAX), *text = NULL;
    snprintf(file, sizeof file, "%s.csr", name);
    harness_path(tc, file, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f && csr) {
        size_t n = fread(csr, 1, CSR_FILE_MAX - 1, f);
        csr[n] = '\0';
        json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:s}", "serial", serial, "code", code, "csr",
                                 csr, "kind", kind, "version", "0.1.0");
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
    }
    if (f)
        fclose(f);
    free(csr);
    return text;
}

int harness_enrollment_code(const TestCentral *tc, const char *store, const char *kind,
                            char code[HARNESS_CODE_MAX])
{
    char body[256];
    Resp r;
    int rc = -1;
    snprintf(body, sizeof body, "{\"store\":\"%s\",\"kind\":\"%s\"}", store, kind);
    if (harness_operator(tc, "POST", "/v1/admin/enrollment-codes", body, &r) == 0 &&
        r.status == 201 && json_is_string(json_object_get(r.json, "code"))) {
        snprintf(code, HARNESS_CODE_MAX, "%s", json_string_value(json_object_get(r.json, "code")));
        rc = 0;
    }
    resp_free(&r);
    return rc;
}

int harness_enroll(const TestCentral *tc, const char *store, const char *kind, const char *serial,
                   const char *name, Resp *out)
{
    char code[HARNESS_CODE_MAX], body[256], cert[HARNESS_PATH_MAX + 16], key[HARNESS_PATH_MAX + 16];
    memset(out, 0, sizeof *out);
    if (harness_enrollment_code(tc, store, kind, code) != 0) {
        /* Hand back the refusal itself, for the test to look at. */
        snprintf(body, sizeof body, "{\"store\":\"%s\",\"kind\":\"%s\"}", store, kind);
        return harness_operator(tc, "POST", "/v1/admin/enrollment-codes", body, out);
    }
    if (harness_make_csr(tc, name, false) != 0)
        return -1;
    char *text = harness_enroll_body(tc, serial, code, kind, name);
    if (!text)
        return -1;
    int rc = harness_post(tc, "/v1/devices/enroll", text, out);
    free(text);
    const char *pem = json_string_value(json_object_get(out->json, "certificate"));
    if (rc == 0 && (out->status == 200 || out->status == 201) && pem) {
        harness_device_files(tc, name, cert, key, sizeof cert);
        FILE *f = fopen(cert, "w");
        if (!f || fputs(pem, f) < 0)
            rc = -1;
        if (f)
            fclose(f);
    }
    return rc;
}
