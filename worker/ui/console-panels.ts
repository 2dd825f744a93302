/**
 * The admin console's panels (markup only, no script or style: console/ holds those): topics,
 * create topic, the selected topic with partitions, settings and throughput charts, produce, the
 * live tail, consumer groups with members and lag, and the confirmation dialog for deletes.
 *
 * @example
 * const html = `<body>${CONSOLE_PANELS}<script src="/console/console.js" defer></script></body>`;
 */
export const CONSOLE_PANELS = `<main>
  <aside>
    <div class="panel" id="topics-panel">
      <h2>Topics</h2>
      <div id="topics"></div>
      <p class="error" id="topics-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="create-panel">
      <h2>Create topic</h2>
      <form id="create-form" autocomplete="off">
        <div class="fields">
          <label>Name <input id="create-name" required maxlength="249" pattern="[A-Za-z0-9._\\-]+" placeholder="orders" spellcheck="false"></label>
          <label>Partitions <input id="create-partitions" type="number" min="1" max="64" value="3" required></label>
        </div>
        <div class="fields">
          <label>cleanup.policy <select id="create-policy"><option>delete</option><option>compact</option><option>compact,delete</option></select></label>
          <label>retention.bytes <input id="create-retention-bytes" type="number" min="-1" placeholder="-1"></label>
        </div>
        <div class="row"><button type="submit">Create</button><span class="hint">letters, digits, . _ -</span></div>
        <p class="error" id="create-error" role="alert" hidden></p>
        <p class="note" id="create-note" role="status" hidden></p>
      </form>
    </div>
    <div class="panel" id="groups-panel">
      <h2>Consumer groups</h2>
      <div id="groups"></div>
      <p class="error" id="groups-error" role="alert" hidden></p>
    </div>
  </aside>
  <section class="main">
    <div class="panel" id="topic-panel" hidden>
      <div class="row between">
        <h2>Topic <span class="name" id="topic-name"></span></h2>
        <button type="button" class="danger small" id="delete-topic">Delete topic</button>
      </div>
      <div id="topic-config"></div>
      <div id="partitions"></div>
      <div class="charts"><div class="chart" id="throughput-chart"></div><div class="chart" id="bytes-chart"></div></div>
      <p class="error" id="topic-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="group-panel" hidden>
      <h2>Group <span class="name" id="group-name"></span></h2>
      <p class="hint" id="group-meta"></p>
      <div id="group-members"></div>
      <div id="group-lag"></div>
      <div class="chart" id="lag-chart"></div>
      <p class="error" id="group-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="tail-panel" hidden>
      <div class="row between">
        <h2>Live tail <span class="name" id="tail-partition"></span> · newest first <span class="hint" id="tail-state"></span></h2>
        <select id="tail-pick" aria-label="Partition to tail"></select>
      </div>
      <ul id="tail"></ul>
      <p class="error" id="tail-error" role="alert" hidden></p>
    </div>
    <div class="panel" id="produce-panel" hidden>
      <h2>Produce a record</h2>
      <form id="produce-form" autocomplete="off">
        <div class="fields">
          <label>Key (optional) <input id="produce-key" placeholder="user-1" spellcheck="false"></label>
          <label>Partition <select id="produce-partition"><option value="">by key</option></select></label>
        </div>
        <label>Value (JSON) <textarea id="produce-value" rows="3" spellcheck="false">{"hello": "world"}</textarea></label>
        <div class="row"><button type="submit">Produce</button></div>
        <p class="error" id="produce-error" role="alert" hidden></p>
        <p class="note" id="produce-note" role="status" hidden></p>
      </form>
    </div>
  </section>
</main>
<dialog id="confirm-dialog">
  <form method="dialog">
    <p id="confirm-message"></p>
    <div class="row"><button value="confirm" id="confirm-yes" class="danger">Delete</button><button value="cancel" class="ghost" id="confirm-no">Cancel</button></div>
  </form>
</dialog>`;
