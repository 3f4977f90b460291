// The page's antiforgery token: API calls made under the sign-in cookie must send it (ApiAntiforgery.cs).
window.layerlensAntiforgery = function (xhr) {
    const meta = document.querySelector('meta[name="layerlens-antiforgery"]');
    if (meta && meta.content) { xhr.setRequestHeader('X-LayerLens-Antiforgery', meta.content); }
};

// Streams the chosen file straight to the API (never through the Blazor circuit), with progress.
window.layerlensUpload = {
    start: function (inputId, name, project) {
        const input = document.getElementById(inputId);
        const bar = document.getElementById('ll-upload-bar');
        const text = document.getElementById('ll-upload-text');
        const error = document.getElementById('ll-upload-error');
        error.textContent = '';
        if (!input || input.files.length === 0) {
            error.textContent = 'Choose an image tarball first (docker save, buildah push docker-archive: or oci-archive:).';
            return;
        }
        const file = input.files[0];
        const query = new URLSearchParams();
        query.set('name', name || file.name);
        if (project) { query.set('project', project); }
        const xhr = new XMLHttpRequest();
        xhr.open('POST', '/api/v1/analyses?' + query.toString());
        xhr.setRequestHeader('Content-Type', 'application/x-tar');
        window.layerlensAntiforgery(xhr);
        xhr.upload.onprogress = function (e) {
            if (e.lengthComputable) {
                const percent = Math.floor(100 * e.loaded / e.total);
                bar.value = percent;
                text.textContent = 'Uploading ' + file.name + ': ' + percent + '%';
            }
        };
        xhr.onload = function () {
            let body = null;
            try { body = JSON.parse(xhr.responseText); } catch (_) { }
            if (xhr.status === 202 && body && body.id) {
                bar.value = 100;
                text.textContent = 'Uploaded; opening the analysis…';
                window.location.href = '/analyses/' + body.id;
            } else {
                error.textContent = (body && (body.detail || body.title)) || ('Upload failed with HTTP ' + xhr.status);
            }
        };
        xhr.onerror = function () { error.textContent = 'The upload was interrupted; nothing was stored. Try again.'; };
        text.textContent = 'Uploading ' + file.name + '…';
        bar.value = 0;
        xhr.send(file);
    }
};

// A Dockerfile review: the pasted text (or chosen file), an optional context archive and build log, posted as
// multipart/form-data by XHR so the context streams from disk to the API with progress.
window.layerlensReview = {
    start: function (options) {
        const bar = document.getElementById('ll-review-bar');
        const text = document.getElementById('ll-review-text');
        const error = document.getElementById('ll-review-error');
        error.textContent = '';
        const fileInput = document.getElementById('ll-dockerfile-file');
        const pasted = document.getElementById('ll-dockerfile-text').value;
        const form = new FormData();
        if (fileInput.files.length > 0) {
            form.append('dockerfile', fileInput.files[0], fileInput.files[0].name);
        } else if (pasted.trim().length > 0) {
            form.append('dockerfile', new Blob([pasted], { type: 'text/plain' }), 'Dockerfile');
        } else {
            error.textContent = 'Paste a Dockerfile or choose a Dockerfile to upload first.';
            return;
        }
        const context = document.getElementById('ll-context-file');
        if (context.files.length > 0) { form.append('context', context.files[0], context.files[0].name); }
        const log = document.getElementById('ll-buildlog-file');
        if (log.files.length > 0) { form.append('buildlog', log.files[0], log.files[0].name); }
        const history = document.getElementById('ll-history-file');
        if (history && history.files.length > 0) { form.append('history', history.files[0], history.files[0].name); }
        if (options.name) { form.append('name', options.name); }
        if (options.project) { form.append('project', options.project); }
        if (options.measure) { form.append('measure', 'true'); form.append('runs', String(options.runs || 1)); }
        const xhr = new XMLHttpRequest();
        xhr.open('POST', '/api/v1/analyses');
        window.layerlensAntiforgery(xhr);
        xhr.upload.onprogress = function (e) {
            if (e.lengthComputable) {
                const percent = Math.floor(100 * e.loaded / e.total);
                bar.value = percent;
                text.textContent = 'Sending: ' + percent + '%';
            }
        };
        xhr.onload = function () {
            let body = null;
            try { body = JSON.parse(xhr.responseText); } catch (_) { }
            if (xhr.status === 202 && body && body.id) {
                bar.value = 100;
                text.textContent = 'Sent; opening the review…';
                window.location.href = '/analyses/' + body.id;
            } else {
                text.textContent = '';
                error.textContent = (body && (body.detail || body.title)) || ('Sending failed with HTTP ' + xhr.status);
            }
        };
        xhr.onerror = function () { error.textContent = 'The upload was interrupted; nothing was stored. Try again.'; };
        text.textContent = 'Sending…';
        bar.value = 0;
        xhr.send(form);
    }
};

// Copy text to the clipboard (the recommended Dockerfile).
window.layerlensCopy = function (text) {
    return navigator.clipboard ? navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; }) : false;
};
