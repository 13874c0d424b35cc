import '@fontsource-variable/inter/wght.css'
import './styles.css'
import { render } from 'preact'
import { App } from './App.tsx'

render(<App />, document.getElementById('app')!)
