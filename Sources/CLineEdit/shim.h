// Small wrappers for the libedit calls Swift cannot make: el_set, el_get and history are
// variadic, and Swift 6 cannot reference the C standard streams that el_init needs.
#include <stdio.h>
#include <histedit.h>

/// Creates an editor that reads stdin and draws the prompt and the line on the file
/// descriptor `output`: 1 (stdout), 2 (stderr) or another open terminal. Its error stream
/// is the same. Returns NULL when `output` cannot be opened as a stream.
static inline EditLine *ckpt_el_init(const char *program, int output) {
    FILE *stream = stderr;
    if (output == 1) {
        stream = stdout;
    } else if (output != 2) {
        stream = fdopen(output, "w");
    }
    if (stream == NULL) {
        return NULL;
    }
    return el_init(program, stdin, stream, stream);
}

/// Flushes stdout, so text written through stdio appears before the next prompt.
static inline void ckpt_flush_stdout(void) {
    fflush(stdout);
}

static inline int ckpt_el_set_prompt(EditLine *el, char *(*prompt)(EditLine *)) {
    return el_set(el, EL_PROMPT, prompt);
}

static inline int ckpt_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int ckpt_el_set_signal(EditLine *el, int handle_signals) {
    return el_set(el, EL_SIGNAL, handle_signals);
}

static inline int ckpt_el_set_client_data(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *ckpt_el_get_client_data(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

/// Replaces libedit's one-byte-per-read(2) character reader.
static inline int ckpt_el_set_read_function(EditLine *el, int (*read_char)(EditLine *, wchar_t *)) {
    return el_set(el, EL_GETCFN, read_char);
}

static inline int ckpt_el_set_history(EditLine *el, History *history_state) {
    return el_set(el, EL_HIST, history, history_state);
}

static inline int ckpt_el_add_function(EditLine *el, const char *name, const char *help,
                                       unsigned char (*function)(EditLine *, int)) {
    return el_set(el, EL_ADDFN, name, help, function);
}

/// Binds one key sequence, such as "^I", to a named editor function.
static inline int ckpt_el_bind(EditLine *el, const char *key, const char *function_name) {
    return el_set(el, EL_BIND, key, function_name, (const char *)NULL);
}

/// Switches the terminal to the editor's raw mode (non-zero) or back to cooked mode (zero).
static inline int ckpt_el_prepare_terminal(EditLine *el, int raw) {
    return el_set(el, EL_PREP_TERM, raw);
}

static inline int ckpt_history_set_size(History *h, int size) {
    HistEvent event;
    return history(h, &event, H_SETSIZE, size);
}

static inline int ckpt_history_set_unique(History *h, int unique) {
    HistEvent event;
    return history(h, &event, H_SETUNIQUE, unique);
}

static inline int ckpt_history_enter(History *h, const char *line) {
    HistEvent event;
    return history(h, &event, H_ENTER, line);
}

static inline int ckpt_history_load(History *h, const char *path) {
    HistEvent event;
    return history(h, &event, H_LOAD, path);
}

static inline int ckpt_history_save_file(History *h, FILE *file) {
    HistEvent event;
    return history(h, &event, H_SAVE_FP, file);
}
