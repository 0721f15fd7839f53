BEGIN TRANSACTION;
CREATE TABLE `account` (
          `id` text PRIMARY KEY,
          `email` text NOT NULL,
          `url` text NOT NULL,
          `access_token` text NOT NULL,
          `refresh_token` text NOT NULL,
          `token_expiry` integer,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL
        );
CREATE TABLE `account_state` (
          `id` integer PRIMARY KEY,
          `active_account_id` text,
          `active_org_id` text,
          CONSTRAINT `fk_account_state_active_account_id_account_id_fk` FOREIGN KEY (`active_account_id`) REFERENCES `account`(`id`) ON DELETE SET NULL
        );
CREATE TABLE `control_account` (
          `email` text NOT NULL,
          `url` text NOT NULL,
          `access_token` text NOT NULL,
          `refresh_token` text NOT NULL,
          `token_expiry` integer,
          `active` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `control_account_pk` PRIMARY KEY(`email`, `url`)
        );
CREATE TABLE `credential` (
          `id` text PRIMARY KEY,
          `integration_id` text,
          `label` text NOT NULL,
          `value` text NOT NULL,
          `connector_id` text,
          `method_id` text,
          `active` integer,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL
        );
CREATE TABLE `data_migration` (
          `name` text PRIMARY KEY,
          `time_completed` integer NOT NULL
        );
CREATE TABLE `event` (
          `id` text PRIMARY KEY,
          `aggregate_id` text NOT NULL,
          `seq` integer NOT NULL,
          `type` text NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_event_aggregate_id_event_sequence_aggregate_id_fk` FOREIGN KEY (`aggregate_id`) REFERENCES `event_sequence`(`aggregate_id`) ON DELETE CASCADE
        );
INSERT INTO "event" VALUES('evt_24b1dbee9001qEkacCd1B33MMl','ses_db4e24117ffeLHRvR69gVFBaDS',0,'session.created.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:30.344Z","version":"1.18.33","time":{"created":1796556570344,"updated":1796556570344},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dbf35001Wdbic3q4JdsTcC','ses_db4e24117ffeLHRvR69gVFBaDS',1,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:30.344Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556570418},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dbf3c001n2b7mdLCWs99EP','ses_db4e24117ffeLHRvR69gVFBaDS',2,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dbf32001NS2tkC49BXK4Jg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"user","time":{"created":1796556570418},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dbf40001xZHUvCi4iDWhRh','ses_db4e24117ffeLHRvR69gVFBaDS',3,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dbf3b001wTzTGYDYpfmpBh","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dbf32001NS2tkC49BXK4Jg","type":"text","text":"\"Write hello.txt and count its bytes.\""},"time":1796556570432}');
INSERT INTO "event" VALUES('evt_24b1dbf45001A8CHCR1BsR7WWG','ses_db4e24117ffeLHRvR69gVFBaDS',4,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:30.344Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556570435},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dc45f001K9KV85nD2CyMI3','ses_db4e24117ffeLHRvR69gVFBaDS',5,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc45f001S1TUDIZK22LXKg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556571743},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dc4b90014BBXBlXasn6quT','ses_db4e24117ffeLHRvR69gVFBaDS',6,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"New session - 2026-12-06T11:29:30.344Z","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556571831},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dc4c4001LVJxGFwQZoAhjb','ses_db4e24117ffeLHRvR69gVFBaDS',7,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dbf32001NS2tkC49BXK4Jg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"user","time":{"created":1796556570418},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dc4ea001r8K7Y7eETWi39Z','ses_db4e24117ffeLHRvR69gVFBaDS',8,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"title":"Write and count","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556571831},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dc80b001huVeN6iaz7Y9bh','ses_db4e24117ffeLHRvR69gVFBaDS',9,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc80b001Bag25xqyWBmaTL","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"step-start"},"time":1796556572683}');
INSERT INTO "event" VALUES('evt_24b1dc80f001NRgSaSR1r39D7s','ses_db4e24117ffeLHRvR69gVFBaDS',10,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc80f001AAWMygPK8Qeh06","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"text","text":"","time":{"start":1796556572687}},"time":1796556572687}');
INSERT INTO "event" VALUES('evt_24b1dc8140019sxq0LTZnkvwiR','ses_db4e24117ffeLHRvR69gVFBaDS',11,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc814001PZM91H7V9SNGOb","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"tool","callID":"call_fake_0003_0","tool":"write","state":{"status":"pending","input":{},"raw":""}},"time":1796556572692}');
INSERT INTO "event" VALUES('evt_24b1dc820001uFjEaGGKZGRs7o','ses_db4e24117ffeLHRvR69gVFBaDS',12,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc814001PZM91H7V9SNGOb","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"tool","callID":"call_fake_0003_0","tool":"write","state":{"status":"running","input":{"filePath":"/tmp/am-agents/opencode-tool-chain/project/hello.txt","content":"hello from the fake model\n"},"time":{"start":1796556572703}}},"time":1796556572703}');
INSERT INTO "event" VALUES('evt_24b1dc8260012oNWRYX5BG2HKs','ses_db4e24117ffeLHRvR69gVFBaDS',13,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc80f001AAWMygPK8Qeh06","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"text","text":"I will write the file.","time":{"start":1796556572687,"end":1796556572710}},"time":1796556572710}');
INSERT INTO "event" VALUES('evt_24b1dc854001x2lIBNWr4ivQU9','ses_db4e24117ffeLHRvR69gVFBaDS',14,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc814001PZM91H7V9SNGOb","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"tool","callID":"call_fake_0003_0","tool":"write","state":{"status":"completed","input":{"filePath":"/tmp/am-agents/opencode-tool-chain/project/hello.txt","content":"hello from the fake model\n"},"output":"Wrote file successfully.","title":"tmp/am-agents/opencode-tool-chain/project/hello.txt","metadata":{"diagnostics":{},"filepath":"/tmp/am-agents/opencode-tool-chain/project/hello.txt","exists":false,"truncated":false},"time":{"start":1796556572703,"end":1796556572756}}},"time":1796556572756}');
INSERT INTO "event" VALUES('evt_24b1dc85b001Ok28MrUCPDM9qj','ses_db4e24117ffeLHRvR69gVFBaDS',15,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc85a00135iphAUYgCCYvh","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc45f001S1TUDIZK22LXKg","type":"step-finish","reason":"tool-calls","cost":0.00852,"tokens":{"total":7148,"input":2100,"output":48,"reasoning":0,"cache":{"read":5000,"write":0}}},"time":1796556572762}');
INSERT INTO "event" VALUES('evt_24b1dc85d001kGTqbzL2ilbJY4','ses_db4e24117ffeLHRvR69gVFBaDS',16,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc45f001S1TUDIZK22LXKg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556571743},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.00852,"tokens":{"total":7148,"input":2100,"output":48,"reasoning":0,"cache":{"read":5000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dc865001HZ74w7CIDxbZqZ','ses_db4e24117ffeLHRvR69gVFBaDS',17,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc45f001S1TUDIZK22LXKg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556571743,"completed":1796556572772},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.00852,"tokens":{"total":7148,"input":2100,"output":48,"reasoning":0,"cache":{"read":5000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dc871001xJvshAeO7X4m8V','ses_db4e24117ffeLHRvR69gVFBaDS',18,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc871001duAY4SgSk5HeMN","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556572785},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dc888001rpzSGj4AYin91j','ses_db4e24117ffeLHRvR69gVFBaDS',19,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.00852,"tokens":{"input":2100,"output":48,"reasoning":0,"cache":{"read":5000,"write":0}},"title":"Write and count","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556572807},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dc88c001PA7JidWQua78uD','ses_db4e24117ffeLHRvR69gVFBaDS',20,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dbf32001NS2tkC49BXK4Jg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"user","time":{"created":1796556570418},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dc8c4001MoqDVugs45MMqR','ses_db4e24117ffeLHRvR69gVFBaDS',21,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c40017sqjc21Ll94WtQ","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"step-start"},"time":1796556572868}');
INSERT INTO "event" VALUES('evt_24b1dc8c8001TV3b1ZF1j3Grd4','ses_db4e24117ffeLHRvR69gVFBaDS',22,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c7001SvDLBHyDqV09zm","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"pending","input":{},"raw":""}},"time":1796556572872}');
INSERT INTO "event" VALUES('evt_24b1dc8cf001RwN8t82suhFR5o','ses_db4e24117ffeLHRvR69gVFBaDS',23,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c7001SvDLBHyDqV09zm","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"wc -c hello.txt","description":"Count the bytes of hello.txt"},"time":{"start":1796556572879}}},"time":1796556572879}');
INSERT INTO "event" VALUES('evt_24b1dc92c001A2rHCRYVe9TbH2','ses_db4e24117ffeLHRvR69gVFBaDS',24,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c7001SvDLBHyDqV09zm","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"wc -c hello.txt","description":"Count the bytes of hello.txt"},"metadata":{"output":""},"time":{"start":1796556572879}}},"time":1796556572972}');
INSERT INTO "event" VALUES('evt_24b1dc93a001w0hA5orAmsgkqu','ses_db4e24117ffeLHRvR69gVFBaDS',25,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c7001SvDLBHyDqV09zm","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"running","input":{"command":"wc -c hello.txt","description":"Count the bytes of hello.txt"},"metadata":{"output":"26 hello.txt\n"},"time":{"start":1796556572879}}},"time":1796556572986}');
INSERT INTO "event" VALUES('evt_24b1dc946001j6EIP31wdHfg7A','ses_db4e24117ffeLHRvR69gVFBaDS',26,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc8c7001SvDLBHyDqV09zm","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"tool","callID":"call_fake_0005_0","tool":"bash","state":{"status":"completed","input":{"command":"wc -c hello.txt","description":"Count the bytes of hello.txt"},"output":"26 hello.txt\n","title":"wc -c hello.txt","metadata":{"output":"26 hello.txt\n","exit":0,"truncated":false},"time":{"start":1796556572879,"end":1796556572997}}},"time":1796556572998}');
INSERT INTO "event" VALUES('evt_24b1dc94d001wBlTYe0idnsCi9','ses_db4e24117ffeLHRvR69gVFBaDS',27,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc94d0010FSehTrIeU49SI","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc871001duAY4SgSk5HeMN","type":"step-finish","reason":"tool-calls","cost":0.003525,"tokens":{"total":7335,"input":300,"output":35,"reasoning":0,"cache":{"read":7000,"write":0}}},"time":1796556573005}');
INSERT INTO "event" VALUES('evt_24b1dc94f001JnnMGwmmFK4t4r','ses_db4e24117ffeLHRvR69gVFBaDS',28,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc871001duAY4SgSk5HeMN","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556572785},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.003525,"tokens":{"total":7335,"input":300,"output":35,"reasoning":0,"cache":{"read":7000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dc95500146hTIoLMynvKiV','ses_db4e24117ffeLHRvR69gVFBaDS',29,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc871001duAY4SgSk5HeMN","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556572785,"completed":1796556573013},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.003525,"tokens":{"total":7335,"input":300,"output":35,"reasoning":0,"cache":{"read":7000,"write":0}},"finish":"tool-calls"}}');
INSERT INTO "event" VALUES('evt_24b1dc959001l45W8a2OmXiC6g','ses_db4e24117ffeLHRvR69gVFBaDS',30,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc9580014t809kFyNgQEDy","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556573016},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0,"tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}}}}');
INSERT INTO "event" VALUES('evt_24b1dc97c001e71NvzZ50sK8Zz','ses_db4e24117ffeLHRvR69gVFBaDS',31,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.012045,"tokens":{"input":2400,"output":83,"reasoning":0,"cache":{"read":12000,"write":0}},"title":"Write and count","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556573050},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
INSERT INTO "event" VALUES('evt_24b1dc9800014ssoxZuZP5AxQq','ses_db4e24117ffeLHRvR69gVFBaDS',32,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dbf32001NS2tkC49BXK4Jg","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"user","time":{"created":1796556570418},"summary":{"diffs":[]},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"}}}');
INSERT INTO "event" VALUES('evt_24b1dc99a001NfGGW2nsisE0qi','ses_db4e24117ffeLHRvR69gVFBaDS',33,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc9990011bpG00eSFknHTz","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc9580014t809kFyNgQEDy","type":"step-start"},"time":1796556573082}');
INSERT INTO "event" VALUES('evt_24b1dc9a1001Tuzmz1a7JG3EfZ','ses_db4e24117ffeLHRvR69gVFBaDS',34,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc99c00111pI3eQbgWWwYw","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc9580014t809kFyNgQEDy","type":"text","text":"","time":{"start":1796556573084}},"time":1796556573089}');
INSERT INTO "event" VALUES('evt_24b1dc9a4001JDlpc5rpk5YjWu','ses_db4e24117ffeLHRvR69gVFBaDS',35,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc99c00111pI3eQbgWWwYw","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc9580014t809kFyNgQEDy","type":"text","text":"hello.txt has 26 bytes.","time":{"start":1796556573084,"end":1796556573092}},"time":1796556573092}');
INSERT INTO "event" VALUES('evt_24b1dc9ab001U10egpO8X4ZtBZ','ses_db4e24117ffeLHRvR69gVFBaDS',36,'message.part.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","part":{"id":"prt_24b1dc9ab001N024T67jz58ZCy","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","messageID":"msg_24b1dc9580014t809kFyNgQEDy","type":"step-finish","reason":"stop","cost":0.002685,"tokens":{"total":7331,"input":120,"output":11,"reasoning":0,"cache":{"read":7200,"write":0}}},"time":1796556573099}');
INSERT INTO "event" VALUES('evt_24b1dc9af001z36HFt7MdoWIvI','ses_db4e24117ffeLHRvR69gVFBaDS',37,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc9580014t809kFyNgQEDy","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556573016},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.002685,"tokens":{"total":7331,"input":120,"output":11,"reasoning":0,"cache":{"read":7200,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dc9b1001sTmoSftCOKWadt','ses_db4e24117ffeLHRvR69gVFBaDS',38,'message.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"msg_24b1dc9580014t809kFyNgQEDy","sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","role":"assistant","time":{"created":1796556573016,"completed":1796556573105},"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","modelID":"fake-model","providerID":"fake","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.002685,"tokens":{"total":7331,"input":120,"output":11,"reasoning":0,"cache":{"read":7200,"write":0}},"finish":"stop"}}');
INSERT INTO "event" VALUES('evt_24b1dc9d4001DVhzXya9XxlbPK','ses_db4e24117ffeLHRvR69gVFBaDS',39,'session.updated.1','{"sessionID":"ses_db4e24117ffeLHRvR69gVFBaDS","info":{"id":"ses_db4e24117ffeLHRvR69gVFBaDS","slug":"nimble-rocket","projectID":"global","directory":"/tmp/am-agents/opencode-tool-chain/project","path":"tmp/am-agents/opencode-tool-chain/project","summary":{"additions":0,"deletions":0,"files":0},"cost":0.01473,"tokens":{"input":2520,"output":94,"reasoning":0,"cache":{"read":19200,"write":0}},"title":"Write and count","agent":"build","model":{"id":"fake-model","providerID":"fake","variant":"default"},"version":"1.18.33","time":{"created":1796556570344,"updated":1796556573139},"permission":[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]}}');
CREATE TABLE `event_sequence` (
          `aggregate_id` text PRIMARY KEY,
          `seq` integer NOT NULL,
          `owner_id` text
        );
INSERT INTO "event_sequence" VALUES('ses_db4e24117ffeLHRvR69gVFBaDS',39,NULL);
CREATE TABLE `message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
INSERT INTO "message" VALUES('msg_24b1dbf32001NS2tkC49BXK4Jg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556570418,1796556573060,'{"role":"user","time":{"created":1796556570418},"agent":"build","model":{"providerID":"fake","modelID":"fake-model"},"summary":{"diffs":[]}}');
INSERT INTO "message" VALUES('msg_24b1dc45f001S1TUDIZK22LXKg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556571743,1796556572777,'{"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.00852,"tokens":{"total":7148,"input":2100,"output":48,"reasoning":0,"cache":{"write":0,"read":5000}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556571743,"completed":1796556572772},"finish":"tool-calls"}');
INSERT INTO "message" VALUES('msg_24b1dc871001duAY4SgSk5HeMN','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572785,1796556573013,'{"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.003525,"tokens":{"total":7335,"input":300,"output":35,"reasoning":0,"cache":{"write":0,"read":7000}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556572785,"completed":1796556573013},"finish":"tool-calls"}');
INSERT INTO "message" VALUES('msg_24b1dc9580014t809kFyNgQEDy','ses_db4e24117ffeLHRvR69gVFBaDS',1796556573016,1796556573106,'{"parentID":"msg_24b1dbf32001NS2tkC49BXK4Jg","role":"assistant","mode":"build","agent":"build","path":{"cwd":"/tmp/am-agents/opencode-tool-chain/project","root":"/"},"cost":0.002685,"tokens":{"total":7331,"input":120,"output":11,"reasoning":0,"cache":{"write":0,"read":7200}},"modelID":"fake-model","providerID":"fake","time":{"created":1796556573016,"completed":1796556573105},"finish":"stop"}');
CREATE TABLE "migration" (id TEXT PRIMARY KEY, time_completed INTEGER NOT NULL);
INSERT INTO "migration" VALUES('20260127222353_familiar_lady_ursula',1796556569686);
INSERT INTO "migration" VALUES('20260211171708_add_project_commands',1796556569687);
INSERT INTO "migration" VALUES('20260213144116_wakeful_the_professor',1796556569687);
INSERT INTO "migration" VALUES('20260225215848_workspace',1796556569687);
INSERT INTO "migration" VALUES('20260227213759_add_session_workspace_id',1796556569688);
INSERT INTO "migration" VALUES('20260228203230_blue_harpoon',1796556569688);
INSERT INTO "migration" VALUES('20260303231226_add_workspace_fields',1796556569688);
INSERT INTO "migration" VALUES('20260309230000_move_org_to_state',1796556569688);
INSERT INTO "migration" VALUES('20260312043431_session_message_cursor',1796556569688);
INSERT INTO "migration" VALUES('20260323234822_events',1796556569688);
INSERT INTO "migration" VALUES('20260410174513_workspace-name',1796556569688);
INSERT INTO "migration" VALUES('20260413175956_chief_energizer',1796556569688);
INSERT INTO "migration" VALUES('20260423070820_add_icon_url_override',1796556569688);
INSERT INTO "migration" VALUES('20260427172553_slow_nightmare',1796556569688);
INSERT INTO "migration" VALUES('20260428004200_add_session_path',1796556569689);
INSERT INTO "migration" VALUES('20260501142318_next_venus',1796556569689);
INSERT INTO "migration" VALUES('20260504145000_add_sync_owner',1796556569689);
INSERT INTO "migration" VALUES('20260507164347_add_workspace_time',1796556569689);
INSERT INTO "migration" VALUES('20260510033149_session_usage',1796556569689);
INSERT INTO "migration" VALUES('20260511000411_data_migration_state',1796556569690);
INSERT INTO "migration" VALUES('20260511173437_session-metadata',1796556569690);
INSERT INTO "migration" VALUES('20260601010001_normalize_storage_paths',1796556569690);
INSERT INTO "migration" VALUES('20260601202201_amazing_prowler',1796556569690);
INSERT INTO "migration" VALUES('20260602002951_lowly_union_jack',1796556569690);
INSERT INTO "migration" VALUES('20260602182828_add_project_directories',1796556569690);
INSERT INTO "migration" VALUES('20260603001617_session_message_projection_indexes',1796556569690);
INSERT INTO "migration" VALUES('20260603040000_session_message_projection_order',1796556569690);
INSERT INTO "migration" VALUES('20260603141458_session_input_inbox',1796556569691);
INSERT INTO "migration" VALUES('20260603160727_jittery_ezekiel_stane',1796556569691);
INSERT INTO "migration" VALUES('20260604172448_event_sourced_session_input',1796556569691);
INSERT INTO "migration" VALUES('20260605003541_add_session_context_snapshot',1796556569691);
INSERT INTO "migration" VALUES('20260605042240_add_context_epoch_agent',1796556569691);
INSERT INTO "migration" VALUES('20260611035744_credential',1796556569691);
INSERT INTO "migration" VALUES('20260611192811_lush_chimera',1796556569691);
INSERT INTO "migration" VALUES('20260612174303_project_dir_strategy',1796556569692);
INSERT INTO "migration" VALUES('20260622142730_simplify_session_context_epoch',1796556569692);
INSERT INTO "migration" VALUES('20260622170816_reset_v2_session_state',1796556569692);
INSERT INTO "migration" VALUES('20260622202450_simplify_session_input',1796556569692);
CREATE TABLE `part` (
          `id` text PRIMARY KEY,
          `message_id` text NOT NULL,
          `session_id` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_part_message_id_message_id_fk` FOREIGN KEY (`message_id`) REFERENCES `message`(`id`) ON DELETE CASCADE
        );
INSERT INTO "part" VALUES('prt_24b1dbf3b001wTzTGYDYpfmpBh','msg_24b1dbf32001NS2tkC49BXK4Jg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556570432,1796556570433,'{"type":"text","text":"\"Write hello.txt and count its bytes.\""}');
INSERT INTO "part" VALUES('prt_24b1dc80b001Bag25xqyWBmaTL','msg_24b1dc45f001S1TUDIZK22LXKg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572683,1796556572685,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dc80f001AAWMygPK8Qeh06','msg_24b1dc45f001S1TUDIZK22LXKg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572687,1796556572711,'{"type":"text","text":"I will write the file.","time":{"start":1796556572687,"end":1796556572710}}');
INSERT INTO "part" VALUES('prt_24b1dc814001PZM91H7V9SNGOb','msg_24b1dc45f001S1TUDIZK22LXKg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572692,1796556572758,'{"type":"tool","tool":"write","callID":"call_fake_0003_0","state":{"status":"completed","input":{"filePath":"/tmp/am-agents/opencode-tool-chain/project/hello.txt","content":"hello from the fake model\n"},"output":"Wrote file successfully.","metadata":{"diagnostics":{},"filepath":"/tmp/am-agents/opencode-tool-chain/project/hello.txt","exists":false,"truncated":false},"title":"tmp/am-agents/opencode-tool-chain/project/hello.txt","time":{"start":1796556572703,"end":1796556572756}}}');
INSERT INTO "part" VALUES('prt_24b1dc85a00135iphAUYgCCYvh','msg_24b1dc45f001S1TUDIZK22LXKg','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572762,1796556572763,'{"reason":"tool-calls","type":"step-finish","tokens":{"total":7148,"input":2100,"output":48,"reasoning":0,"cache":{"write":0,"read":5000}},"cost":0.00852}');
INSERT INTO "part" VALUES('prt_24b1dc8c40017sqjc21Ll94WtQ','msg_24b1dc871001duAY4SgSk5HeMN','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572868,1796556572870,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dc8c7001SvDLBHyDqV09zm','msg_24b1dc871001duAY4SgSk5HeMN','ses_db4e24117ffeLHRvR69gVFBaDS',1796556572872,1796556572999,'{"type":"tool","tool":"bash","callID":"call_fake_0005_0","state":{"status":"completed","input":{"command":"wc -c hello.txt","description":"Count the bytes of hello.txt"},"output":"26 hello.txt\n","metadata":{"output":"26 hello.txt\n","exit":0,"truncated":false},"title":"wc -c hello.txt","time":{"start":1796556572879,"end":1796556572997}}}');
INSERT INTO "part" VALUES('prt_24b1dc94d0010FSehTrIeU49SI','msg_24b1dc871001duAY4SgSk5HeMN','ses_db4e24117ffeLHRvR69gVFBaDS',1796556573005,1796556573006,'{"reason":"tool-calls","type":"step-finish","tokens":{"total":7335,"input":300,"output":35,"reasoning":0,"cache":{"write":0,"read":7000}},"cost":0.003525}');
INSERT INTO "part" VALUES('prt_24b1dc9990011bpG00eSFknHTz','msg_24b1dc9580014t809kFyNgQEDy','ses_db4e24117ffeLHRvR69gVFBaDS',1796556573082,1796556573083,'{"type":"step-start"}');
INSERT INTO "part" VALUES('prt_24b1dc99c00111pI3eQbgWWwYw','msg_24b1dc9580014t809kFyNgQEDy','ses_db4e24117ffeLHRvR69gVFBaDS',1796556573089,1796556573097,'{"type":"text","text":"hello.txt has 26 bytes.","time":{"start":1796556573084,"end":1796556573092}}');
INSERT INTO "part" VALUES('prt_24b1dc9ab001N024T67jz58ZCy','msg_24b1dc9580014t809kFyNgQEDy','ses_db4e24117ffeLHRvR69gVFBaDS',1796556573099,1796556573100,'{"reason":"stop","type":"step-finish","tokens":{"total":7331,"input":120,"output":11,"reasoning":0,"cache":{"write":0,"read":7200}},"cost":0.002685}');
CREATE TABLE `permission` (
          `id` text PRIMARY KEY,
          `project_id` text NOT NULL,
          `action` text NOT NULL,
          `resource` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `fk_permission_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `project` (
          `id` text PRIMARY KEY,
          `worktree` text NOT NULL,
          `vcs` text,
          `name` text,
          `icon_url` text,
          `icon_url_override` text,
          `icon_color` text,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `time_initialized` integer,
          `sandboxes` text NOT NULL,
          `commands` text
        );
INSERT INTO "project" VALUES('global','/',NULL,NULL,NULL,NULL,NULL,1796556569994,1796556569994,NULL,'[]',NULL);
CREATE TABLE `project_directory` (
          `project_id` text NOT NULL,
          `directory` text NOT NULL,
          `type` text,
          `strategy` text,
          `time_created` integer NOT NULL,
          CONSTRAINT `project_directory_pk` PRIMARY KEY(`project_id`, `directory`),
          CONSTRAINT `fk_project_directory_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session` (
          `id` text PRIMARY KEY,
          `project_id` text NOT NULL,
          `workspace_id` text,
          `parent_id` text,
          `slug` text NOT NULL,
          `directory` text NOT NULL,
          `path` text,
          `title` text NOT NULL,
          `version` text NOT NULL,
          `share_url` text,
          `summary_additions` integer,
          `summary_deletions` integer,
          `summary_files` integer,
          `summary_diffs` text,
          `metadata` text,
          `cost` real DEFAULT 0 NOT NULL,
          `tokens_input` integer DEFAULT 0 NOT NULL,
          `tokens_output` integer DEFAULT 0 NOT NULL,
          `tokens_reasoning` integer DEFAULT 0 NOT NULL,
          `tokens_cache_read` integer DEFAULT 0 NOT NULL,
          `tokens_cache_write` integer DEFAULT 0 NOT NULL,
          `revert` text,
          `permission` text,
          `agent` text,
          `model` text,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `time_compacting` integer,
          `time_archived` integer,
          CONSTRAINT `fk_session_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
INSERT INTO "session" VALUES('ses_db4e24117ffeLHRvR69gVFBaDS','global',NULL,NULL,'nimble-rocket','/tmp/am-agents/opencode-tool-chain/project','tmp/am-agents/opencode-tool-chain/project','Write and count','1.18.33',NULL,0,0,0,NULL,NULL,0.01473,2520,94,0,19200,0,NULL,'[{"permission":"question","pattern":"*","action":"deny"},{"permission":"plan_enter","pattern":"*","action":"deny"},{"permission":"plan_exit","pattern":"*","action":"deny"}]','build','{"id":"fake-model","providerID":"fake","variant":"default"}',1796556570344,1796556573139,NULL,NULL);
CREATE TABLE `session_context_epoch` (
          `session_id` text PRIMARY KEY,
          `baseline` text NOT NULL,
          `snapshot` text NOT NULL,
          `baseline_seq` integer NOT NULL,
          CONSTRAINT `fk_session_context_epoch_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_input` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `prompt` text NOT NULL,
          `delivery` text NOT NULL,
          `admitted_seq` integer NOT NULL,
          `promoted_seq` integer,
          `time_created` integer NOT NULL,
          CONSTRAINT `fk_session_input_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_message` (
          `id` text PRIMARY KEY,
          `session_id` text NOT NULL,
          `type` text NOT NULL,
          `seq` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          `data` text NOT NULL,
          CONSTRAINT `fk_session_message_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `session_share` (
          `session_id` text PRIMARY KEY,
          `id` text NOT NULL,
          `secret` text NOT NULL,
          `url` text NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `fk_session_share_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `todo` (
          `session_id` text NOT NULL,
          `content` text NOT NULL,
          `status` text NOT NULL,
          `priority` text NOT NULL,
          `position` integer NOT NULL,
          `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL,
          CONSTRAINT `todo_pk` PRIMARY KEY(`session_id`, `position`),
          CONSTRAINT `fk_todo_session_id_session_id_fk` FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON DELETE CASCADE
        );
CREATE TABLE `workspace` (
          `id` text PRIMARY KEY,
          `type` text NOT NULL,
          `name` text DEFAULT '' NOT NULL,
          `branch` text,
          `directory` text,
          `extra` text,
          `project_id` text NOT NULL,
          `time_used` integer NOT NULL,
          CONSTRAINT `fk_workspace_project_id_project_id_fk` FOREIGN KEY (`project_id`) REFERENCES `project`(`id`) ON DELETE CASCADE
        );
CREATE UNIQUE INDEX `event_aggregate_seq_idx` ON `event` (`aggregate_id`,`seq`);
CREATE INDEX `event_aggregate_type_seq_idx` ON `event` (`aggregate_id`,`type`,`seq`);
CREATE UNIQUE INDEX `permission_project_action_resource_idx` ON `permission` (`project_id`,`action`,`resource`);
CREATE INDEX `message_session_time_created_id_idx` ON `message` (`session_id`,`time_created`,`id`);
CREATE INDEX `part_message_id_id_idx` ON `part` (`message_id`,`id`);
CREATE INDEX `part_session_idx` ON `part` (`session_id`);
CREATE INDEX `session_input_session_pending_delivery_seq_idx` ON `session_input` (`session_id`,`promoted_seq`,`delivery`,`admitted_seq`);
CREATE UNIQUE INDEX `session_input_session_admitted_seq_idx` ON `session_input` (`session_id`,`admitted_seq`);
CREATE UNIQUE INDEX `session_input_session_promoted_seq_idx` ON `session_input` (`session_id`,`promoted_seq`);
CREATE UNIQUE INDEX `session_message_session_seq_idx` ON `session_message` (`session_id`,`seq`);
CREATE INDEX `session_message_session_type_seq_idx` ON `session_message` (`session_id`,`type`,`seq`);
CREATE INDEX `session_message_session_time_created_id_idx` ON `session_message` (`session_id`,`time_created`,`id`);
CREATE INDEX `session_message_time_created_idx` ON `session_message` (`time_created`);
CREATE INDEX `session_project_idx` ON `session` (`project_id`);
CREATE INDEX `session_workspace_idx` ON `session` (`workspace_id`);
CREATE INDEX `session_parent_idx` ON `session` (`parent_id`);
CREATE INDEX `todo_session_idx` ON `todo` (`session_id`);
COMMIT;
