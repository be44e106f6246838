#ifndef CHARGEKIT_CCURL_SHIM_H
#define CHARGEKIT_CCURL_SHIM_H

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift
// cannot call. One typed wrapper per argument kind keeps every call type-checked.

#include <curl/curl.h>

static inline CURLcode ck_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ck_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ck_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ck_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ck_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ck_easy_setopt_write_cb(CURL *h, CURLoption o, curl_write_callback f) {
    return curl_easy_setopt(h, o, f);
}
static inline CURLcode ck_easy_setopt_read_cb(CURL *h, curl_read_callback f) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, f);
}
static inline CURLcode ck_easy_setopt_seek_cb(CURL *h, curl_seek_callback f) {
    return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, f);
}
static inline CURLcode ck_easy_setopt_xferinfo_cb(CURL *h, curl_xferinfo_callback f) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f);
}
static inline CURLcode ck_easy_setopt_debug_cb(CURL *h, curl_debug_callback f) {
    return curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, f);
}

static inline CURLcode ck_easy_setopt_prereq_cb(CURL *h, curl_prereq_callback f) {
    return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, f);
}

// The option's name ("URL", "CAINFO", ...) for error messages, or NULL if unknown.
static inline const char *ck_easy_option_name(CURLoption o) {
    const struct curl_easyoption *opt = curl_easy_option_by_id(o);
    return opt ? opt->name : NULL;
}

static inline CURLcode ck_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ck_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ck_easy_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ck_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) {
    return curl_easy_getinfo(h, i, v);
}

static inline CURLMcode ck_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}

#endif
