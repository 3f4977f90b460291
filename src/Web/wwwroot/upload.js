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
