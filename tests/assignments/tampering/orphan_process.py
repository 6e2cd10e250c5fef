# A process that outlives the notebook, in its own session, to rewrite the answers afterwards.
import subprocess, sys
subprocess.Popen([sys.executable, "-c",
                  "import time, json\ntime.sleep(3)\n"
                  "open('answers.json', 'w').write(json.dumps({'answers': {}}))\n"
                  "open('/tmp/gmm-orphan-marker', 'w').write('alive')\ntime.sleep(600)"],
                 start_new_session=True)
