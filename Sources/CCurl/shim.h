#ifndef RELAIS_CCURL_SHIM_H
#define RELAIS_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>

// libcurl is opened when the first mail goes through SMTP, not linked: with it come OpenSSL,
// Kerberos, LDAP, SSH and HTTP/2 libraries, about 3 MB of memory mapped at every start of a
// daemon that may deliver to its maildir or through sendmail and never use them.
typedef struct relais_curl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    const char *error; /* why libcurl cannot be used; NULL once every function is found */
} relais_curl_api;

static inline relais_curl_api *relais_curl(void) {
    static relais_curl_api api;
    return &api;
}

static inline void relais_curl_open(void) {
    relais_curl_api *api = relais_curl();
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) { api->error = dlerror(); return; }
#define RELAIS_CURL_FUNCTION(field, name) \
    if (!(*(void **)&api->field = dlsym(library, name))) { api->error = "libcurl.so.4 lacks " name; return; }
    RELAIS_CURL_FUNCTION(global_init, "curl_global_init")
    RELAIS_CURL_FUNCTION(easy_init, "curl_easy_init")
    RELAIS_CURL_FUNCTION(easy_setopt, "curl_easy_setopt")
    RELAIS_CURL_FUNCTION(easy_getinfo, "curl_easy_getinfo")
    RELAIS_CURL_FUNCTION(easy_perform, "curl_easy_perform")
    RELAIS_CURL_FUNCTION(easy_cleanup, "curl_easy_cleanup")
    RELAIS_CURL_FUNCTION(easy_strerror, "curl_easy_strerror")
    RELAIS_CURL_FUNCTION(slist_append, "curl_slist_append")
    RELAIS_CURL_FUNCTION(slist_free_all, "curl_slist_free_all")
#undef RELAIS_CURL_FUNCTION
}

/* Opens libcurl, once whatever the threads. Returns NULL when its functions below may be
 * called, or why they may not (libcurl4 not installed). */
static inline const char *relais_curl_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, relais_curl_open);
    return relais_curl()->error;
}

static inline CURLcode relais_curl_global_init(long flags) { return relais_curl()->global_init(flags); }
static inline CURL *relais_curl_easy_init(void) { return relais_curl()->easy_init(); }
static inline CURLcode relais_curl_easy_perform(CURL *handle) { return relais_curl()->easy_perform(handle); }
static inline void relais_curl_easy_cleanup(CURL *handle) { relais_curl()->easy_cleanup(handle); }
static inline const char *relais_curl_easy_strerror(CURLcode code) {
    return relais_curl()->easy_strerror ? relais_curl()->easy_strerror(code) : "libcurl is not loaded";
}
static inline struct curl_slist *relais_curl_slist_append(struct curl_slist *list, const char *text) {
    return relais_curl()->slist_append(list, text);
}
static inline void relais_curl_slist_free_all(struct curl_slist *list) { relais_curl()->slist_free_all(list); }

// curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper per argument kind.
static inline CURLcode relais_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return relais_curl()->easy_setopt(handle, option, value);
}
static inline CURLcode relais_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return relais_curl()->easy_setopt(handle, option, value);
}
static inline CURLcode relais_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return relais_curl()->easy_setopt(handle, option, value);
}
typedef size_t (*relais_curl_read_callback)(char *buffer, size_t size, size_t count, void *userdata);
static inline CURLcode relais_curl_setopt_read_function(CURL *handle, relais_curl_read_callback callback) {
    return relais_curl()->easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}
typedef size_t (*relais_curl_write_callback)(char *data, size_t size, size_t count, void *userdata);
static inline CURLcode relais_curl_setopt_write_function(CURL *handle, relais_curl_write_callback callback) {
    return relais_curl()->easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
typedef int (*relais_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);
static inline CURLcode relais_curl_setopt_debug_function(CURL *handle, relais_curl_debug_callback callback) {
    return relais_curl()->easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}
// curl_easy_getinfo is variadic too: the typed wrapper for long results (e.g. CURLINFO_RESPONSE_CODE).
static inline CURLcode relais_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return relais_curl()->easy_getinfo(handle, info, value);
}
#endif
