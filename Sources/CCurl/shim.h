#ifndef CKPT_CCURL_SHIM_H
#define CKPT_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

// libcurl is loaded with dlopen on first use rather than linked. Loading it and the
// thirty libraries it depends on (TLS, Kerberos, LDAP, SSH) cost about 12 million
// instructions and 9 ms at every start, measured with callgrind and perf on a C program,
// and a script that sends no request never needs it.
//
// Swift calls libcurl only through the ckpt_curl_* functions below, which take the table
// of function pointers that ckpt_curl_load() fills. The table lives in Swift rather than
// in a static here, because each Swift file compiled on its own would get its own copy
// of a static that a header's inline function declares.

#if defined(__APPLE__)
#define CKPT_CURL_LIBRARY "libcurl.4.dylib"
#else
#define CKPT_CURL_LIBRARY "libcurl.so.4"
#endif

struct ckpt_curl_functions {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_reset) *easy_reset;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_wakeup) *multi_wakeup;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_strerror) *multi_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
};

/// Loads libcurl into `functions`; returns 0, or -1 after writing why it failed into
/// `failure`. The library stays loaded for the life of the process.
static inline int ckpt_curl_load(struct ckpt_curl_functions *functions, char *failure, size_t failure_size) {
    void *library = dlopen(CKPT_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *error = dlerror();
        snprintf(failure, failure_size, "%s", error ? error : "cannot load " CKPT_CURL_LIBRARY);
        return -1;
    }
#define CKPT_CURL_SYMBOL(field, name)                                                            \
    if (!(functions->field = (__typeof__(functions->field))dlsym(library, #name))) {             \
        snprintf(failure, failure_size, "%s has no function %s", CKPT_CURL_LIBRARY, #name);      \
        return -1;                                                                               \
    }
    CKPT_CURL_SYMBOL(global_init, curl_global_init)
    CKPT_CURL_SYMBOL(easy_init, curl_easy_init)
    CKPT_CURL_SYMBOL(easy_cleanup, curl_easy_cleanup)
    CKPT_CURL_SYMBOL(easy_reset, curl_easy_reset)
    CKPT_CURL_SYMBOL(easy_setopt, curl_easy_setopt)
    CKPT_CURL_SYMBOL(easy_getinfo, curl_easy_getinfo)
    CKPT_CURL_SYMBOL(easy_strerror, curl_easy_strerror)
    CKPT_CURL_SYMBOL(multi_init, curl_multi_init)
    CKPT_CURL_SYMBOL(multi_cleanup, curl_multi_cleanup)
    CKPT_CURL_SYMBOL(multi_add_handle, curl_multi_add_handle)
    CKPT_CURL_SYMBOL(multi_remove_handle, curl_multi_remove_handle)
    CKPT_CURL_SYMBOL(multi_perform, curl_multi_perform)
    CKPT_CURL_SYMBOL(multi_poll, curl_multi_poll)
    CKPT_CURL_SYMBOL(multi_wakeup, curl_multi_wakeup)
    CKPT_CURL_SYMBOL(multi_info_read, curl_multi_info_read)
    CKPT_CURL_SYMBOL(multi_strerror, curl_multi_strerror)
    CKPT_CURL_SYMBOL(slist_append, curl_slist_append)
    CKPT_CURL_SYMBOL(slist_free_all, curl_slist_free_all)
#undef CKPT_CURL_SYMBOL
    return 0;
}

typedef const struct ckpt_curl_functions *ckpt_curl_t;

static inline CURLcode ckpt_curl_global_init(ckpt_curl_t curl) {
    return curl->global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURL *ckpt_curl_easy_init(ckpt_curl_t curl) { return curl->easy_init(); }
static inline void ckpt_curl_easy_cleanup(ckpt_curl_t curl, CURL *handle) { curl->easy_cleanup(handle); }
static inline void ckpt_curl_easy_reset(ckpt_curl_t curl, CURL *handle) { curl->easy_reset(handle); }
static inline const char *ckpt_curl_easy_strerror(ckpt_curl_t curl, CURLcode code) { return curl->easy_strerror(code); }

static inline CURLM *ckpt_curl_multi_init(ckpt_curl_t curl) { return curl->multi_init(); }
static inline CURLMcode ckpt_curl_multi_cleanup(ckpt_curl_t curl, CURLM *multi) { return curl->multi_cleanup(multi); }
static inline CURLMcode ckpt_curl_multi_add_handle(ckpt_curl_t curl, CURLM *multi, CURL *handle) {
    return curl->multi_add_handle(multi, handle);
}
static inline CURLMcode ckpt_curl_multi_remove_handle(ckpt_curl_t curl, CURLM *multi, CURL *handle) {
    return curl->multi_remove_handle(multi, handle);
}
static inline CURLMcode ckpt_curl_multi_perform(ckpt_curl_t curl, CURLM *multi, int *running) {
    return curl->multi_perform(multi, running);
}
static inline CURLMcode ckpt_curl_multi_poll(ckpt_curl_t curl, CURLM *multi, struct curl_waitfd *extra, unsigned count,
                                             int timeout_ms, int *ready) {
    return curl->multi_poll(multi, extra, count, timeout_ms, ready);
}
static inline CURLMcode ckpt_curl_multi_wakeup(ckpt_curl_t curl, CURLM *multi) { return curl->multi_wakeup(multi); }
static inline CURLMsg *ckpt_curl_multi_info_read(ckpt_curl_t curl, CURLM *multi, int *queued) {
    return curl->multi_info_read(multi, queued);
}
static inline const char *ckpt_curl_multi_strerror(ckpt_curl_t curl, CURLMcode code) { return curl->multi_strerror(code); }

static inline struct curl_slist *ckpt_curl_slist_append(ckpt_curl_t curl, struct curl_slist *list, const char *line) {
    return curl->slist_append(list, line);
}
static inline void ckpt_curl_slist_free_all(ckpt_curl_t curl, struct curl_slist *list) { curl->slist_free_all(list); }

// Swift cannot call the variadic curl_easy_setopt and curl_easy_getinfo, so each
// argument type the transport passes gets a fixed-signature wrapper here.

static inline CURLcode ckpt_curl_easy_setopt_long(ckpt_curl_t curl, CURL *handle, CURLoption option, long value) {
    return curl->easy_setopt(handle, option, value);
}

static inline CURLcode ckpt_curl_easy_setopt_off_t(ckpt_curl_t curl, CURL *handle, CURLoption option, curl_off_t value) {
    return curl->easy_setopt(handle, option, value);
}

/// Strings are copied by libcurl, so the argument only has to live for the call.
static inline CURLcode ckpt_curl_easy_setopt_string(ckpt_curl_t curl, CURL *handle, CURLoption option, const char *value) {
    return curl->easy_setopt(handle, option, value);
}

/// Raw pointers (callback data, the error buffer, the request body) are not copied:
/// they must stay valid until the transfer ends.
static inline CURLcode ckpt_curl_easy_setopt_pointer(ckpt_curl_t curl, CURL *handle, CURLoption option, void *value) {
    return curl->easy_setopt(handle, option, value);
}

static inline CURLcode ckpt_curl_easy_setopt_slist(ckpt_curl_t curl, CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl->easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this signature.
static inline CURLcode ckpt_curl_easy_setopt_write_callback(ckpt_curl_t curl, CURL *handle, CURLoption option, curl_write_callback value) {
    return curl->easy_setopt(handle, option, value);
}

static inline CURLcode ckpt_curl_easy_setopt_xferinfo_callback(ckpt_curl_t curl, CURL *handle, CURLoption option, curl_xferinfo_callback value) {
    return curl->easy_setopt(handle, option, value);
}

static inline CURLcode ckpt_curl_easy_getinfo_long(ckpt_curl_t curl, CURL *handle, CURLINFO info, long *value) {
    return curl->easy_getinfo(handle, info, value);
}

#endif
