import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { documentPlace } from "../../src/server/lsp/documentPlace";

const folders = [
  { uri: "file:///home/ada/project", name: "project" },
  { uri: "vscode-remote://ssh-remote%2Bbox/srv/app/", name: "app" },
  { uri: "vscode-vfs://github/owner/repo", name: "repo" },
];

describe("documentPlace", () => {
  test("a file in a workspace folder: relative path and folder name", () => {
    assert.deepEqual(documentPlace("file:///home/ada/project/src/main.ts", folders), { filePath: "src/main.ts", repoName: "project" });
    assert.deepEqual(documentPlace("file://localhost/home/ada/project/a.ts", folders), { filePath: "a.ts", repoName: "project" });
  });

  test("a file outside every folder: its name only", () => {
    assert.deepEqual(documentPlace("file:///tmp/scratch.py", folders), { filePath: "scratch.py", repoName: "" });
    assert.deepEqual(documentPlace("file:///home/ada/projectile/x.ts", folders), { filePath: "x.ts", repoName: "" });
  });

  test("percent-escapes are decoded, except an encoded slash", () => {
    assert.deepEqual(documentPlace("file:///home/ada/project/my%20file%C3%A9.ts", folders), { filePath: "my fileé.ts", repoName: "project" });
    assert.deepEqual(documentPlace("file:///home/ada/project/a%2Fb.ts", folders), { filePath: "a%2Fb.ts", repoName: "project" });
  });

  test("URIs that make fileURLToPath throw still get an answer", () => {
    assert.deepEqual(documentPlace("file://otherhost/share/x.ts", folders), { filePath: "x.ts", repoName: "" });
    assert.deepEqual(documentPlace("file:///home/ada/project/100%.ts", folders), { filePath: "100%.ts", repoName: "project" });
    assert.deepEqual(documentPlace("file:///home/ada/project/bad%E2%82.ts", folders), { filePath: "bad%E2%82.ts", repoName: "project" });
    assert.deepEqual(documentPlace("file:///home/ada/project/%zz/y.ts", folders), { filePath: "%zz/y.ts", repoName: "project" });
  });

  test("untitled, remote and virtual documents", () => {
    assert.deepEqual(documentPlace("untitled:Untitled-1", folders), { filePath: "Untitled-1", repoName: "" });
    assert.deepEqual(documentPlace("vscode-remote://ssh-remote%2Bbox/srv/app/lib/util.go", folders), { filePath: "lib/util.go", repoName: "app" });
    assert.deepEqual(documentPlace("vscode-vfs://github/owner/repo/README.md", folders), { filePath: "README.md", repoName: "repo" });
    // Same path, other scheme or host: not in the folder.
    assert.deepEqual(documentPlace("vscode-remote://ssh-remote%2Bother/srv/app/lib/util.go", folders), { filePath: "util.go", repoName: "" });
    assert.deepEqual(documentPlace("vscode-notebook-cell:/home/ada/project/nb.ipynb#W0sZmlsZQ%3D%3D", folders), { filePath: "nb.ipynb", repoName: "" });
  });

  test("dot segments cannot climb out of a folder", () => {
    assert.deepEqual(documentPlace("file:///home/ada/project/../secret/k.ts", folders), { filePath: "k.ts", repoName: "" });
    assert.deepEqual(documentPlace("file:///home/ada/project/./src/../a.ts", folders), { filePath: "a.ts", repoName: "project" });
  });

  test("Windows drive letters match whatever their case or encoding", () => {
    const windows = [{ uri: "file:///C:/work/app", name: "app" }];
    assert.deepEqual(documentPlace("file:///c%3A/work/app/src/a.ts", windows), { filePath: "src/a.ts", repoName: "app" });
  });

  test("never throws, whatever the text", () => {
    for (const uri of ["", ":", "%", "file:", "file://", "file:///", "//x", "a:b:c", "file:///%", "\u0000", "file:///\uD800"]) {
      const place = documentPlace(uri, folders);
      assert.equal(typeof place.filePath, "string", uri);
      assert.notEqual(place.filePath, "", uri);
    }
  });
});
