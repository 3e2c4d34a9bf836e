/* test_control.c: the control socket server over a real UNIX socket, with the test as
 * the UI thread: requests arrive as EV_CONTROL events and are answered from here. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "control.h"
#include "ctlclient.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    EventQueue *q;
    ControlServer *server;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/kiosk-control-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/control.sock", f->dir);
    f->q = evq_create(16, NULL, NULL);
    KioskErr err;
    f->server = control_create(f->path, f->q, &err);
    assert_non_null(f->server);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    control_destroy(f->server);
    evq_destroy(f->q);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Acts as the UI thread for one request: answers {"echo": cmd}. */
static void answer_one(Fixture *f)
{
    Event ev;
    assert_int_equal(evq_wait(f->q, &ev, 3000), KIOSK_OK);
    assert_int_equal(ev.type, EV_CONTROL);
    ControlCall *call = ev.u.control.call;
    control_reply(call, json_pack("{s:s}", "echo", control_call_cmd(call)), NULL, NULL);
}

typedef struct Caller {
    const char *path;
    const char *line; /* sent raw */
    char reply[4096];
} Caller;

/* Sends raw text on a fresh connection and reads one reply line. */
static void *call_raw(void *arg)
{
    Caller *c = arg;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, c->path);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return NULL;
    size_t len = strlen(c->line);
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, c->line + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    size_t got = 0;
    while (got < sizeof c->reply - 1) {
        ssize_t n = read(fd, c->reply + got, 1);
        if (n <= 0 || c->reply[got] == '\n')
            break;
        got++;
    }
    c->reply[got] = '\0';
    close(fd);
    return NULL;
}

static void round_trip(void **state)
{
    Fixture *f = *state;
    Caller c = {.path = f->path, .line = "{\"cmd\":\"ping\"}\n"};
    pthread_t th;
    pthread_create(&th, NULL, call_raw, &c);
    answer_one(f);
    pthread_join(th, NULL);
    json_t *r = json_loads(c.reply, 0, NULL);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "echo")), "ping");
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
}

static void bad_requests_answered_without_the_ui(void **state)
{
    Fixture *f = *state;
    const char *bad[] = {"not json\n",
                         "[1,2,3]\n",
                         "{\"cmd\":42}\n",
                         "{\"nocmd\":1}\n",
                         "{\"cmd\":\"a\",\"cmd\":\"b\"}\n",
                         "{\"cmd\":\"trunc\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Caller c = {.path = f->path, .line = bad[i]};
        call_raw(&c);
        json_t *r = json_loads(c.reply, 0, NULL);
        assert_non_null(r);
        assert_true(json_is_false(json_object_get(r, "ok")));
        assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                            "bad_request");
        json_decref(r);
    }
    assert_int_equal(evq_depth(f->q), 0); /* nothing reached the UI thread */
}

static void overlong_line_is_refused(void **state)
{
    Fixture *f = *state;
    char *big = malloc(CONTROL_LINE_MAX + 10);
    memset(big, 'x', CONTROL_LINE_MAX + 9);
    big[CONTROL_LINE_MAX + 9] = '\0';
    Caller c = {.path = f->path, .line = big};
    call_raw(&c);
    free(big);
    assert_non_null(strstr(c.reply, "too_big"));
    assert_int_equal(evq_depth(f->q), 0);
}

/* Two requests in one write: the second waits for the first's answer; replies in order. */
static void pipelined_requests_stay_in_order(void **state)
{
    Fixture *f = *state;
    CtlClient *cl = ctlclient_connect(f->path, 1000);
    assert_non_null(cl);
    Caller c = {.path = f->path, .line = "{\"cmd\":\"first\"}\n{\"cmd\":\"second\"}\n"};
    pthread_t th;
    pthread_create(&th, NULL, call_raw, &c); /* reads only the first reply */
    Event ev;
    assert_int_equal(evq_wait(f->q, &ev, 3000), KIOSK_OK);
    assert_string_equal(control_call_cmd(ev.u.control.call), "first");
    usleep(50000);
    assert_int_equal(evq_depth(f->q), 0); /* "second" is held back */
    control_reply(ev.u.control.call, json_pack("{s:s}", "echo", "first"), NULL, NULL);
    pthread_join(th, NULL);
    assert_non_null(strstr(c.reply, "\"first\""));
    /* the client has gone: "second" is still dispatched, and its answer dropped safely */
    answer_one(f);
    /* the server still serves others */
    pthread_t th2;
    Caller c3 = {.path = f->path, .line = "{\"cmd\":\"third\"}\n"};
    pthread_create(&th2, NULL, call_raw, &c3);
    answer_one(f);
    pthread_join(th2, NULL);
    assert_non_null(strstr(c3.reply, "third"));
    ctlclient_close(cl);
}

static void finish_runs_off_the_ui_thread(json_t *reply, void *data)
{
    json_object_set_new(reply, "finished_by", json_string((const char *)data));
}

static void deferred_finish(void **state)
{
    Fixture *f = *state;
    Caller c = {.path = f->path, .line = "{\"cmd\":\"shot\"}\n"};
    pthread_t th;
    pthread_create(&th, NULL, call_raw, &c);
    Event ev;
    assert_int_equal(evq_wait(f->q, &ev, 3000), KIOSK_OK);
    control_reply(ev.u.control.call, NULL, finish_runs_off_the_ui_thread, "server");
    pthread_join(th, NULL);
    assert_non_null(strstr(c.reply, "\"finished_by\":\"server\""));
}

static void socket_is_owner_only_and_replaced_when_stale(void **state)
{
    Fixture *f = *state;
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    control_destroy(f->server);
    assert_int_not_equal(stat(f->path, &st), 0); /* removed on the way out */
    /* a socket file left by a killed kiosk does not stop the next one */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, f->path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    KioskErr err;
    f->server = control_create(f->path, f->q, &err);
    assert_non_null(f->server);
}

/* Two kiosks never share a socket: the second is refused while the first answers, and a
 * slow-stopping one never removes the socket of the one started after it. */
static void a_live_socket_is_not_taken_over(void **state)
{
    Fixture *f = *state;
    KioskErr err = KIOSK_OK;
    assert_null(control_create(f->path, f->q, &err));
    assert_int_equal(err, KIOSK_E_STATE);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0); /* the refusal left the first one's socket */
    /* The file replaced under the running server (as by a later kiosk): it stays. */
    assert_int_equal(unlink(f->path), 0);
    ControlServer *later = control_create(f->path, f->q, &err);
    assert_non_null(later);
    control_destroy(f->server);
    f->server = later;
    assert_int_equal(stat(f->path, &st), 0);
    Caller c = {.path = f->path, .line = "{\"cmd\":\"ping\"}\n"};
    pthread_t th;
    pthread_create(&th, NULL, call_raw, &c);
    answer_one(f); /* the later one answers */
    pthread_join(th, NULL);
    assert_non_null(strstr(c.reply, "\"echo\":\"ping\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_requests_answered_without_the_ui, setup, teardown),
        cmocka_unit_test_setup_teardown(overlong_line_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(pipelined_requests_stay_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(deferred_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(socket_is_owner_only_and_replaced_when_stale, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_live_socket_is_not_taken_over, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
